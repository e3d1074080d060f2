import type { ActionSequence } from "../../dynamics/types.js";
import { initialPolicyMemory, policyStep, type PolicyInput, type PolicyMemory, type PolicyParams, type PolicyResult } from "../../policy/index.js";

/** A one-row prediction acting at `t` with the given values (and optional std) by channel. */
export function prediction(t: number, values: Record<string, number>, std?: Record<string, number>): ActionSequence {
  const channels = Object.keys(values);
  return {
    t0: t,
    dt: 0.05,
    channels,
    mean: Float32Array.from(channels.map((c) => values[c]!)),
    ...(std ? { std: Float32Array.from(channels.map((c) => std[c] ?? 0)) } : {}),
    model: "test",
  };
}

/** Memory as if the last command sent at `t` had `last` values (and speed_cmd implied acceleration `rate`). */
export function memoryAfter(t: number, last: Record<string, number>, rate: Record<string, number> = {}): PolicyMemory {
  return { ...initialPolicyMemory(), t, last, rate, lastSafe: last };
}

/** Runs ticks in order, threading memory; returns every result. */
export function run(params: PolicyParams, inputs: readonly PolicyInput[], memory = initialPolicyMemory()): PolicyResult[] {
  const out: PolicyResult[] = [];
  let m = memory;
  for (const input of inputs) {
    const r = policyStep(input, m, params);
    out.push(r);
    m = r.memory;
  }
  return out;
}
