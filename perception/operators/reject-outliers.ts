import { Observable, type MonoTypeOperatorFunction } from "rxjs";
import { OutlierFilter, type OutlierOptions } from "../outlier-filter.js";
import type { RejectTally } from "../reject-tally.js";
import type { Sample } from "../types.js";

export interface RejectOutliersOptions extends OutlierOptions {
  readonly tally?: RejectTally;
}

/** Drops samples far from their channel's rolling median (see OutlierFilter); expects time order. */
export function rejectOutliers(options: RejectOutliersOptions = {}): MonoTypeOperatorFunction<Sample> {
  return (source) =>
    new Observable<Sample>((sub) => {
      const filter = new OutlierFilter(options);
      return source.subscribe({
        next: (s) => {
          const r = filter.check(s);
          if (r) options.tally?.add(s, r.reason, r.message);
          else sub.next(s);
        },
        error: (e) => sub.error(e),
        complete: () => sub.complete(),
      });
    });
}
