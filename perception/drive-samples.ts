import { Observable, type SchedulerLike, type Subscription } from "rxjs";
import { driveOrigin, mergeDrive } from "./drive-merge.js";
import type { Drive, Sample } from "./types.js";

/**
 * A drive as a live-like stream: samples in global time order, each at scheduler time
 * (t - t0) * 1000 where t0 = driveOrigin(drive). Under a VirtualTimeScheduler this is replay;
 * pass t0 as `origin` to the perception operators so both sides agree on source time.
 */
export function driveSamples(drive: Drive, scheduler: SchedulerLike): Observable<Sample> {
  return new Observable<Sample>((sub) => {
    const t0 = driveOrigin(drive);
    const it = mergeDrive(drive);
    let next = it.next();
    const due = (s: Sample) => (Number.isFinite(s.t) ? (s.t - t0) * 1000 : -Infinity);
    let action: Subscription | undefined;
    const step = () => {
      // All samples due by now, then one action for the next due time (a fresh one: see sync-frames.ts).
      const now = scheduler.now();
      while (!next.done && due(next.value) <= now && !sub.closed) {
        sub.next(next.value);
        next = it.next();
      }
      if (next.done) sub.complete();
      else if (!sub.closed) action = scheduler.schedule(step, Math.max(0, due(next.value) - scheduler.now()));
    };
    action = scheduler.schedule(step, next.done ? 0 : Math.max(0, due(next.value) - scheduler.now()));
    return () => action?.unsubscribe();
  });
}
