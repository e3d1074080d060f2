import { Observable, type OperatorFunction } from "rxjs";
import type { RejectTally } from "../reject-tally.js";
import type { Sample } from "../types.js";
import { sampleValidator, type ValidateOptions } from "../validate.js";

export interface ValidateSamplesOptions extends ValidateOptions {
  readonly tally?: RejectTally;
}

/** Passes well-formed, finite, in-range samples on known channels; counts the rest in the tally. */
export function validateSamples(options: ValidateSamplesOptions = {}): OperatorFunction<unknown, Sample> {
  const check = sampleValidator(options);
  return (source) =>
    new Observable<Sample>((sub) =>
      source.subscribe({
        next: (s) => {
          const r = check(s);
          if (r) options.tally?.add(s, r.reason, r.message);
          else sub.next(s as Sample);
        },
        error: (e) => sub.error(e),
        complete: () => sub.complete(),
      }),
    );
}
