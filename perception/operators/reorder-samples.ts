import { Observable, Subscription, type MonoTypeOperatorFunction, type SchedulerLike } from "rxjs";
import type { RejectTally } from "../reject-tally.js";
import { ReorderBuffer } from "../reorder-buffer.js";
import { releaseDueMs } from "../timing.js";
import type { Sample } from "../types.js";

export interface ReorderSamplesOptions {
  readonly tally?: RejectTally;
  /**
   * With a scheduler, the watermark also follows the clock (source time now - window), so samples
   * are released on time even when the input goes quiet. Without one, only newer samples move it.
   */
  readonly scheduler?: SchedulerLike;
  /** Source time (s) at scheduler time 0; see timing.ts. */
  readonly origin?: number;
}

/** Restores time order within `window` seconds; drops duplicates and late samples (see ReorderBuffer). */
export function reorderSamples(window: number, options: ReorderSamplesOptions = {}): MonoTypeOperatorFunction<Sample> {
  const { scheduler, tally } = options;
  const origin = options.origin ?? 0;
  return (source) =>
    new Observable<Sample>((sub) => {
      const buf = new ReorderBuffer(window);
      let out: Sample[] = [];
      const emit = () => {
        const batch = out;
        out = [];
        for (const s of batch) sub.next(s);
      };
      let timer: Subscription | undefined;
      let timerFor = Infinity;
      // One timer, for the earliest pending sample's release time; re-armed only when that moves earlier.
      const arm = () => {
        const e = buf.earliest;
        if (!scheduler || e === undefined || e >= timerFor) return;
        timer?.unsubscribe();
        timerFor = e;
        const dueMs = releaseDueMs(e, origin, window);
        let fired = false;
        const handle: Subscription = scheduler.schedule(() => {
          fired = true;
          timer = undefined;
          timerFor = Infinity;
          // At e's release time e itself is due, even if ms rounding puts the clock a hair short of it.
          buf.advance(Math.max(origin + scheduler.now() / 1000 - window, e), out);
          emit();
          arm();
        }, Math.max(0, dueMs - scheduler.now()));
        // Executed actions are not unsubscribed by the scheduler: hold only the live one.
        if (!fired) timer = handle;
      };
      const input = source.subscribe({
        next: (s) => {
          const r = buf.push(s, out);
          if (r) tally?.add(s, r.reason, r.message);
          emit();
          arm();
        },
        error: (e) => sub.error(e),
        complete: () => {
          buf.flush(out);
          emit();
          sub.complete();
        },
      });
      return () => {
        input.unsubscribe();
        timer?.unsubscribe();
      };
    });
}
