import { channelInfo, isKnownChannel } from "./channels.js";
import { MAX_ABS_T, TIME_BREAK_S } from "./timing.js";
import type { Drive, RejectCounts } from "./types.js";

/** One channel as `lam inspect --json` reports it (DESIGN.md). */
export interface ChannelSummary {
  readonly name: string;
  readonly unit: string;
  readonly samples: number;
  readonly rate_hz: number | null;
  readonly gaps: number;
  readonly longest_gap_s: number | null;
  readonly min: number | null;
  readonly max: number | null;
  readonly rejected: RejectCounts;
  readonly source: string;
}

/** A stretch longer than TIME_BREAK_S with no sample on any channel: the drive's time is broken there. */
export interface TimeBreakSummary {
  readonly from: number;
  readonly to: number;
  readonly gap_s: number;
}

export interface DriveSummary {
  readonly name: string;
  readonly format: Drive["format"];
  readonly span_s: number;
  readonly t0: number | null;
  readonly channels: readonly ChannelSummary[];
  /** Where the drive's time breaks (the first MAX_BREAKS_LISTED); empty for a drive with sound time. */
  readonly time_breaks: readonly TimeBreakSummary[];
  /** Samples stamped beyond any plausible clock (|t| > MAX_ABS_T). */
  readonly implausible_t: number;
}

export const MAX_BREAKS_LISTED = 20;

/**
 * Gaps longer than `maxGap` (s) with no sample on any channel, and the count of stamps no clock can mean. Memory
 * grows with the samples, never with the span.
 */
export function timeBreaks(drive: Drive, maxGap = TIME_BREAK_S): { breaks: TimeBreakSummary[]; implausible: number; first: number | null; last: number | null } {
  const n = drive.channels.reduce((a, c) => a + c.t.length, 0);
  const all = new Float64Array(n);
  let m = 0;
  let implausible = 0;
  for (const c of drive.channels)
    for (let i = 0; i < c.t.length; i++) {
      const t = c.t[i];
      if (Math.abs(t) <= MAX_ABS_T) all[m++] = t;
      else if (!Number.isNaN(t)) implausible++;
    }
  const ts = all.subarray(0, m).sort();
  const breaks: TimeBreakSummary[] = [];
  for (let i = 1; i < m && breaks.length < MAX_BREAKS_LISTED; i++) {
    const gap = ts[i] - ts[i - 1];
    if (gap > maxGap) breaks.push({ from: ts[i - 1], to: ts[i], gap_s: round(gap, 3) });
  }
  return { breaks, implausible, first: m ? ts[0] : null, last: m ? ts[m - 1] : null };
}

/** A sampling interval longer than this many median periods counts as a gap. */
export const GAP_FACTOR = 5;

function median(xs: Float64Array): number {
  const s = Float64Array.from(xs).sort();
  const m = s.length >> 1;
  return s.length % 2 ? s[m] : (s[m - 1] + s[m]) / 2;
}

function mergeCounts(a: RejectCounts | undefined, b: RejectCounts | undefined): RejectCounts {
  const out: Record<string, number> = { ...(a ?? {}) };
  for (const [k, v] of Object.entries(b ?? {})) out[k] = (out[k] ?? 0) + (v ?? 0);
  return out as RejectCounts;
}

/**
 * Channels, rates, gaps and ranges of a drive. `extraRejected` adds what perception rejected on top of what
 * the importer did (both are reported under the channel's name).
 */
export function summariseDrive(drive: Drive, extraRejected: Readonly<Record<string, RejectCounts>> = {}): DriveSummary {
  let t0 = Infinity;
  let t1 = -Infinity;
  const channels: ChannelSummary[] = [];
  for (const ch of drive.channels) {
    const n = ch.t.length;
    let min = Infinity;
    let max = -Infinity;
    for (let i = 0; i < n; i++) {
      const v = ch.values[i];
      if (v < min) min = v;
      if (v > max) max = v;
    }
    let rate: number | null = null;
    let gaps = 0;
    let longest: number | null = null;
    if (n >= 2) {
      const dts = new Float64Array(n - 1);
      for (let i = 1; i < n; i++) dts[i - 1] = ch.t[i] - ch.t[i - 1];
      const med = median(dts);
      rate = med > 0 ? (n - 1) / (ch.t[n - 1] - ch.t[0]) : null;
      let worst = 0;
      for (const dt of dts) {
        if (med > 0 && dt > GAP_FACTOR * med) gaps++;
        if (dt > worst) worst = dt;
      }
      longest = worst;
    }
    if (n > 0) {
      t0 = Math.min(t0, ch.t[0]);
      t1 = Math.max(t1, ch.t[n - 1]);
    }
    channels.push({
      name: ch.name,
      unit: isKnownChannel(ch.name) ? channelInfo(ch.name).unit : ch.unit,
      samples: n,
      rate_hz: rate === null ? null : round(rate, 3),
      gaps,
      longest_gap_s: longest === null ? null : round(longest, 4),
      min: n ? min : null,
      max: n ? max : null,
      rejected: mergeCounts(drive.rejected[ch.name], extraRejected[ch.name]),
      source: ch.source,
    });
  }
  // Channels that lost every sample still show up, so a user sees what was rejected.
  for (const name of new Set([...Object.keys(drive.rejected), ...Object.keys(extraRejected)])) {
    if (channels.some((c) => c.name === name)) continue;
    channels.push({
      name,
      unit: isKnownChannel(name) ? channelInfo(name).unit : "",
      samples: 0,
      rate_hz: null,
      gaps: 0,
      longest_gap_s: null,
      min: null,
      max: null,
      rejected: mergeCounts(drive.rejected[name], extraRejected[name]),
      source: "",
    });
  }
  channels.sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
  // Span and start from plausible stamps only: one row at t = 1e308 is counted in implausible_t, not spanned.
  const time = timeBreaks(drive);
  if (time.first !== null) [t0, t1] = [time.first, time.last!];
  const span = Number.isFinite(t0) ? t1 - t0 : 0;
  return {
    name: drive.name,
    format: drive.format,
    span_s: round(span, 4),
    t0: Number.isFinite(t0) ? t0 : null,
    channels,
    time_breaks: time.breaks,
    implausible_t: time.implausible,
  };
}

function round(x: number, digits: number): number {
  const f = 10 ** digits;
  return Math.round(x * f) / f;
}
