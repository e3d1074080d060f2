import { asyncScheduler, pipe, type OperatorFunction, type SchedulerLike } from "rxjs";
import type { OutlierOptions } from "../outlier-filter.js";
import type { RejectTally } from "../reject-tally.js";
import { resolveTiming, type TimingOptions } from "../timing.js";
import type { Frame, FrameSpec } from "../types.js";
import { rejectOutliers } from "./reject-outliers.js";
import { reorderSamples } from "./reorder-samples.js";
import { syncFrames } from "./sync-frames.js";
import { validateSamples } from "./validate-samples.js";

export interface PerceiveOptions extends TimingOptions {
  /** Clock for ticks and reorder release; default asyncScheduler. Replay: a VirtualTimeScheduler. */
  readonly scheduler?: SchedulerLike;
  /** Source time (s) at scheduler time 0 (replay: the drive's first sample time). */
  readonly origin?: number;
  /** Counts every dropped sample by channel and reason. */
  readonly tally?: RejectTally;
  /** Only these channels pass validation (others count as unknown_channel). Default: any known channel. */
  readonly channels?: Iterable<string>;
  /** Outlier rejection settings, or false to switch it off. */
  readonly outliers?: OutlierOptions | false;
}

/** validate -> reorder -> reject outliers -> sync: raw samples in, fixed-rate Frames out (see timing.ts). */
export function perceive(spec: FrameSpec, options: PerceiveOptions = {}): OperatorFunction<unknown, Frame> {
  const { window, lookahead, latency } = resolveTiming(options);
  const scheduler = options.scheduler ?? asyncScheduler;
  const { tally, origin } = options;
  return pipe(
    validateSamples({ channels: options.channels, tally }),
    reorderSamples(window, { scheduler, origin, tally }),
    options.outliers === false ? (s) => s : rejectOutliers({ ...options.outliers, tally }),
    syncFrames(spec, { scheduler, origin, latency, lookahead, tally }),
  );
}
