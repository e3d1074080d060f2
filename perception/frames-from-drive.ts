import { driveOrigin, mergeDrive } from "./drive-merge.js";
import type { OutlierOptions } from "./outlier-filter.js";
import { RejectTally, type OnReject } from "./reject-tally.js";
import { PerceptionCore } from "./stepped.js";
import { firstTick, tickTime } from "./synchroniser.js";
import { MAX_ABS_T, resolveTiming, tickDueMs, TIME_BREAK_S, type TimingOptions } from "./timing.js";
import type { Drive, Frame, FrameSpec, RejectCounts, Sample } from "./types.js";

export interface FramesFromDriveOptions extends TimingOptions {
  readonly channels?: Iterable<string>;
  readonly outliers?: OutlierOptions | false;
  readonly onReject?: OnReject;
  /** A gap (s) on the frame channels longer than this is a time break (see TIME_BREAK_S). */
  readonly maxGapS?: number;
}

/** Where the frame channels fell silent (`from`, the last sample) and resumed (`to`), with no frames built between. */
export interface TimeBreak {
  readonly from: number;
  readonly to: number;
}

export interface DriveFrames {
  readonly frames: Frame[];
  /** Samples dropped by perception (not by the importer: see drive.rejected), by channel and reason. */
  readonly rejected: Record<string, RejectCounts>;
  /** Time breaks skipped: frames stop maxGapS after `from` and resume at `to`, so their times jump there (batch path only). */
  readonly breaks?: TimeBreak[];
}

/** The drive's first plausible time: a stamp no clock can mean (|t| > MAX_ABS_T) must not set where ticks start. */
function plausibleOrigin(drive: Drive): number {
  let t0 = Infinity;
  for (const c of drive.channels)
    for (let i = 0; i < c.t.length; i++)
      if (Math.abs(c.t[i]) <= MAX_ABS_T) {
        t0 = Math.min(t0, c.t[i]);
        break;
      }
  return Number.isFinite(t0) ? t0 : driveOrigin(drive);
}

/**
 * The batch path: the same PerceptionCore as `perceive`, driven by a plain loop (no RxJS, no scheduler), for
 * training, inspect and replay. Gives exactly the frames that `driveSamples` + `perceive` give
 * under a VirtualTimeScheduler with origin = driveOrigin(drive): frame T uses the samples with
 * t <= T + lookahead, and the last frames are those whose tick the clock reaches before the
 * drive ends, or that lie at or before the newest sample (timing.ts).
 */
export function framesFromDrive(drive: Drive, spec: FrameSpec, options: FramesFromDriveOptions = {}): DriveFrames {
  const { window, lookahead, latency } = resolveTiming(options);
  const tally = new RejectTally(options.onReject);
  const core = new PerceptionCore(spec, { window, lookahead, outliers: options.outliers, channels: options.channels, tally });
  const maxGap = options.maxGapS ?? TIME_BREAK_S;
  const t0 = plausibleOrigin(drive);
  const frames: Frame[] = [];
  const breaks: TimeBreak[] = [];
  let k = firstTick(t0, spec.rate);
  let lastInput = t0;
  const released: Sample[] = [];
  const inSpec = new Set(spec.channels.map((c) => c.name));

  const toSync = (s: Sample) => {
    if (!core.admit(s)) return;
    // A channel the frames do not hold moves no tick: the RxJS path's ticks follow the frame channels only.
    if (!inSpec.has(s.channel)) return;
    const last = Number.isFinite(core.lastT) ? core.lastT : t0;
    if (s.t - last > maxGap) {
      // A time break: frames until maxGap after the last sample (all channels long Missing by then), then on at s.
      while (tickTime(k, spec.rate) <= last + maxGap) frames.push(core.frame(k++));
      const resume = firstTick(s.t - lookahead, spec.rate);
      if (resume > k) {
        breaks.push({ from: last, to: s.t });
        k = resume;
      }
    }
    // Every tick whose horizon this sample lies beyond is final: build it before the sample lands.
    while (tickTime(k, spec.rate) + lookahead < s.t) frames.push(core.frame(k++));
    core.land(s);
  };
  const drain = () => {
    for (const s of released) toSync(s);
    released.length = 0;
  };

  for (const s of mergeDrive(drive)) {
    if (Math.abs(s.t) <= MAX_ABS_T) lastInput = s.t;
    core.accept(s, released);
    drain();
  }
  core.flush(released);
  drain();
  // Mirror the RxJS path's end: ticks due by the last sample's instant (fired before it, or at its completion), then
  // up to the newest.
  const endMs = (lastInput - t0) * 1000;
  const newest = Number.isFinite(core.lastT) ? core.lastT : t0;
  for (;;) {
    const T = tickTime(k, spec.rate);
    if (!(T <= core.lastT || tickDueMs(T, t0, latency) <= endMs)) break;
    // Other channels running on past a break of the frame channels do not stretch the frames either.
    if (T > newest + maxGap) break;
    frames.push(core.frame(k++));
  }
  return { frames, rejected: tally.counts, breaks };
}
