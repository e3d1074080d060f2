import type { LimitName } from "./bounds.js";
import type { FaultReason } from "./faults.js";
import type { PolicyWhy } from "./step.js";
import type { CommandMode } from "./types.js";

/** How often the envelope and the fallback acted over a run: what reports show (limit_events, fallback_share). */
export interface PolicyTally {
  readonly ticks: number;
  readonly modes: Readonly<Record<CommandMode, number>>;
  /** Ticks on which each limit changed at least one channel. */
  readonly limits: Readonly<Partial<Record<LimitName, number>>>;
  /** Ticks on which at least one limit acted. */
  readonly limitTicks: number;
  /** Ticks on which each fault was found. */
  readonly faults: Readonly<Partial<Record<FaultReason, number>>>;
  /** Fallback episodes begun, by the fault that began them. */
  readonly episodes: Readonly<Partial<Record<FaultReason, number>>>;
}

export function emptyTally(): PolicyTally {
  return { ticks: 0, modes: { model: 0, fallback: 0, stop: 0 }, limits: {}, limitTicks: 0, faults: {}, episodes: {} };
}

function bump<K extends string>(r: Readonly<Partial<Record<K, number>>>, keys: Iterable<K>): Partial<Record<K, number>> {
  const out: Partial<Record<K, number>> = { ...r };
  for (const k of keys) out[k] = (out[k] ?? 0) + 1;
  return out;
}

/** Add one tick's why. */
export function addToTally(t: PolicyTally, why: PolicyWhy): PolicyTally {
  const limits = new Set(why.interventions.map((i) => i.limit));
  const faults = new Set(why.faults.map((f) => f.reason));
  return {
    ticks: t.ticks + 1,
    modes: { ...t.modes, [why.mode]: t.modes[why.mode] + 1 },
    limits: bump(t.limits, limits),
    limitTicks: t.limitTicks + (limits.size > 0 ? 1 : 0),
    faults: bump(t.faults, faults),
    episodes: why.began && why.reason ? bump(t.episodes, [why.reason]) : t.episodes,
  };
}
