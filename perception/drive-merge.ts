import type { Drive, Sample } from "./types.js";

/** Source time of a drive's first sample (NaN stamps ignored); 0 for an empty drive. */
export function driveOrigin(drive: Drive): number {
  let t0 = Infinity;
  for (const c of drive.channels) for (let i = 0; i < c.t.length; i++) if (Number.isFinite(c.t[i])) { t0 = Math.min(t0, c.t[i]); break; }
  return Number.isFinite(t0) ? t0 : 0;
}

/** Number of samples in a drive. */
export function driveSize(drive: Drive): number {
  return drive.channels.reduce((n, c) => n + c.t.length, 0);
}

/**
 * A drive's samples in global time order: a k-way merge of its channels (each already in time
 * order); ties go to the earlier channel, so the order is deterministic. A non-finite stamp comes out
 * as soon as it heads its channel, and is left for validation to reject.
 */
export function* mergeDrive(drive: Drive): Generator<Sample, void, undefined> {
  const chans = drive.channels;
  const pos = new Array<number>(chans.length).fill(0);
  for (;;) {
    let best = -1;
    let bestKey = Infinity;
    for (let c = 0; c < chans.length; c++) {
      const i = pos[c];
      if (i >= chans[c].t.length) continue;
      const t = chans[c].t[i];
      const key = Number.isFinite(t) ? t : -Infinity;
      if (best < 0 || key < bestKey) {
        best = c;
        bestKey = key;
      }
    }
    if (best < 0) return;
    const ch = chans[best];
    const i = pos[best]++;
    yield { channel: ch.name, t: ch.t[i], value: ch.values[i], source: ch.source };
  }
}
