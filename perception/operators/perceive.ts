import { asyncScheduler, Observable, type OperatorFunction, type SchedulerLike, type Subscription } from "rxjs";
import type { OutlierOptions } from "../outlier-filter.js";
import type { RejectTally } from "../reject-tally.js";
import { PerceptionCore } from "../stepped.js";
import { firstTick, tickTime } from "../synchroniser.js";
import { releaseDueMs, resolveTiming, tickDueMs, type TimingOptions } from "../timing.js";
import type { Frame, FrameSpec, Sample } from "../types.js";

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

/**
 * Raw samples in, fixed-rate Frames out, on the scheduler's clock: PerceptionCore (validate → reorder → reject
 * outliers → sync) driven by two timers, one releasing the reorder stage at each pending sample's due time and one
 * firing the ticks (see timing.ts). The same frames as `framesFromDrive` under a VirtualTimeScheduler.
 */
export function perceive(spec: FrameSpec, options: PerceiveOptions = {}): OperatorFunction<unknown, Frame> {
  const { window, lookahead, latency } = resolveTiming(options);
  const scheduler = options.scheduler ?? asyncScheduler;
  const origin = options.origin ?? 0;
  return (source) =>
    new Observable<Frame>((sub) => {
      const core = new PerceptionCore(spec, { window, lookahead, outliers: options.outliers, channels: options.channels, tally: options.tally });
      const out: Sample[] = [];
      const drain = () => {
        for (let i = 0; i < out.length; i++) core.take(out[i]!);
        out.length = 0;
      };

      // Ticks: the first grid time at or after the source time at subscription; each fires at T + latency.
      let k = firstTick(origin + scheduler.now() / 1000, spec.rate);
      const delay = () => Math.max(0, tickDueMs(tickTime(k, spec.rate), origin, latency) - scheduler.now());
      // A fresh action per tick (not this.schedule): VirtualActions rescheduled that way chain into one deep
      // subscription tree that overflows the stack when torn down after a long replay.
      let tick: Subscription | undefined;
      const fire = () => {
        sub.next(core.frame(k++));
        if (!sub.closed) tick = scheduler.schedule(fire, delay());
      };
      tick = scheduler.schedule(fire, delay());

      // Release: one timer, for the earliest pending sample's due time; re-armed only when that moves earlier.
      let release: Subscription | undefined;
      let releaseFor = Infinity;
      const arm = () => {
        const e = core.earliest;
        if (e === undefined || e >= releaseFor) return;
        release?.unsubscribe();
        releaseFor = e;
        let fired = false;
        const handle: Subscription = scheduler.schedule(() => {
          fired = true;
          release = undefined;
          releaseFor = Infinity;
          // At e's release time e itself is due, even if ms rounding puts the clock a hair short of it.
          core.advance(Math.max(origin + scheduler.now() / 1000 - window, e), out);
          drain();
          arm();
        }, Math.max(0, releaseDueMs(e, origin, window) - scheduler.now()));
        // Executed actions are not unsubscribed by the scheduler: hold only the live one.
        if (!fired) release = handle;
      };

      const input = source.subscribe({
        next: (raw) => {
          core.accept(raw, out);
          drain();
          arm();
        },
        error: (e) => sub.error(e),
        complete: () => {
          core.flush(out);
          drain();
          tick?.unsubscribe();
          // On completion the ticks up to the newest sample are emitted at once (all their inputs are known), and so
          // is a tick due at this very instant: whether its timer or the last sample ran first is the scheduler's
          // order among equal times, which the batch path cannot see (random seed 1902117696).
          while ((tickTime(k, spec.rate) <= core.lastT || tickDueMs(tickTime(k, spec.rate), origin, latency) <= scheduler.now()) && !sub.closed)
            sub.next(core.frame(k++));
          sub.complete();
        },
      });
      return () => {
        input.unsubscribe();
        tick?.unsubscribe();
        release?.unsubscribe();
      };
    });
}
