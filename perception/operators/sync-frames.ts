import { Observable, asyncScheduler, type OperatorFunction, type SchedulerLike, type Subscription } from "rxjs";
import type { RejectTally } from "../reject-tally.js";
import { Synchroniser, firstTick, tickTime } from "../synchroniser.js";
import { SLACK_S, tickDueMs } from "../timing.js";
import type { Frame, FrameSpec, Sample } from "../types.js";

export interface SyncFramesOptions {
  /** Where ticks come from; default asyncScheduler (wall clock). */
  readonly scheduler?: SchedulerLike;
  /** Frame T is emitted at scheduler time T + latency (s); see timing.ts. */
  readonly latency: number;
  /** Source time (s) at scheduler time 0. */
  readonly origin?: number;
  /** Default latency - SLACK_S: right for samples that arrive on time with no reorder stage in front. */
  readonly lookahead?: number;
  readonly tally?: RejectTally;
}

/**
 * Samples in, one Frame per tick out. Ticks are driven by the scheduler, not by the data, so a dead
 * sensor still yields frames that mark it Held and then Missing. The first tick is the first grid
 * time at or after the source time at subscription. On completion the ticks up to the newest sample
 * are emitted at once (all their inputs are known) and the stream completes.
 */
export function syncFrames(spec: FrameSpec, options: SyncFramesOptions): OperatorFunction<Sample, Frame> {
  const scheduler = options.scheduler ?? asyncScheduler;
  const origin = options.origin ?? 0;
  const { latency, tally } = options;
  const lookahead = options.lookahead ?? latency - SLACK_S;
  if (!(lookahead >= 0 && latency >= lookahead)) throw new Error(`latency=${latency} lookahead=${lookahead}: need 0 <= lookahead <= latency`);
  return (source) =>
    new Observable<Frame>((sub) => {
      const sync = new Synchroniser(spec, { lookahead });
      let k = firstTick(origin + scheduler.now() / 1000, spec.rate);
      const delay = () => Math.max(0, tickDueMs(tickTime(k, spec.rate), origin, latency) - scheduler.now());
      // A fresh action per tick (not this.schedule): VirtualActions rescheduled that way chain
      // into one deep subscription tree that overflows the stack when torn down after a long replay.
      let tick: Subscription | undefined;
      const fire = () => {
        sub.next(sync.frameAt(k++));
        if (!sub.closed) tick = scheduler.schedule(fire, delay());
      };
      tick = scheduler.schedule(fire, delay());
      const input = source.subscribe({
        next: (s) => {
          const r = sync.push(s);
          if (r) tally?.add(s, r.reason, r.message);
        },
        error: (e) => sub.error(e),
        complete: () => {
          tick?.unsubscribe();
          while (tickTime(k, spec.rate) <= sync.lastT && !sub.closed) sub.next(sync.frameAt(k++));
          sub.complete();
        },
      });
      return () => {
        input.unsubscribe();
        tick?.unsubscribe();
      };
    });
}
