// A tuning sweep's data: the swept keys and their values, one parameter set (a point of the sweep), and what one
// set gave over the scenarios. Values stay text: applyOverrides coerces them against the parameter's type.
import type { OverrideValue } from "../../policy/overrides.js";
import type { ScenarioResult } from "../metrics.js";

export interface ParamSweep {
  readonly key: string;
  readonly values: readonly OverrideValue[];
}

/** One parameter set: dotted key → value, in the order the keys were given. */
export type ParamSet = Readonly<Record<string, OverrideValue>>;

/** Every combination of the swept values, the first key varying slowest. */
export function cartesian(sweeps: readonly ParamSweep[]): ParamSet[] {
  let sets: Record<string, OverrideValue>[] = [{}];
  for (const s of sweeps) sets = sets.flatMap((base) => s.values.map((v) => ({ ...base, [s.key]: v })));
  return sets;
}

/** One parameter set run over the tuning scenarios (set 0: the baseline, no overrides). */
export interface SetResult {
  readonly index: number;
  readonly params: ParamSet;
  readonly scenarios: readonly ScenarioResult[];
  readonly timing: { readonly wall_ms: number };
}
