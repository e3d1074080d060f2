import type { ActionSequence } from "../dynamics/types.js";
import type { PolicyTally } from "../policy/tally.js";
import type { Command, CommandMode } from "../policy/types.js";
import type { TickResult } from "./decider.js";

/** The prediction's first step (and its spread) per action channel: what a tick record shows of it. */
export interface FirstStep {
  readonly first: Record<string, number>;
  readonly spread: Record<string, number> | null;
}

export function firstStep(p: ActionSequence): FirstStep {
  const first: Record<string, number> = {};
  const spread: Record<string, number> | null = p.std ? {} : null;
  for (let c = 0; c < p.channels.length; c++) {
    first[p.channels[c]] = p.mean[c];
    if (spread) spread[p.channels[c]] = p.std![c];
  }
  return { first, spread };
}

/** What a tick's command amounts to on the action channels, after the non-finite guard. */
export interface CommandOutcome {
  /** Per action channel: the value, or null where it was not a finite number (nothing non-finite reaches an actuator). */
  readonly values: Record<string, number | null>;
  readonly nonfinite: boolean;
  /** A non-finite command counts as a fallback, whatever mode the policy claimed. */
  readonly mode: CommandMode;
  /** The limits that acted, sorted, plus "nonfinite_command" when the guard did. */
  readonly limits: readonly string[];
  /** The fault that began the fallback episode (why.reason), or "nonfinite_command"; null in model mode. */
  readonly fallback: string | null;
}

const NO_LIMITS: readonly string[] = Object.freeze([]);

function finite(v: unknown): v is number {
  return typeof v === "number" && Number.isFinite(v);
}

/** The non-finite guard and the record of one command: the same rule for the live node, replay and the simulator. */
export function commandOutcome(command: Command, why: { readonly reason: string | null }, actions: readonly string[], error?: string): CommandOutcome {
  const values: Record<string, number | null> = {};
  let nonfinite = !Number.isFinite(command.t);
  for (const ch of actions) {
    const v = command.values[ch];
    const ok = finite(v);
    values[ch] = ok ? v : null;
    if (!ok) nonfinite = true;
  }
  // Values on channels outside `actions` are published too: they must be finite as well.
  for (const k in command.values) if (!finite(command.values[k])) nonfinite = true;
  const limits = command.limits.length === 0 && !nonfinite ? NO_LIMITS : [...new Set([...command.limits, ...(nonfinite ? ["nonfinite_command"] : [])])].sort();
  const mode = nonfinite && command.mode === "model" ? "fallback" : command.mode;
  const fallback = mode === "model" ? null : (why.reason ?? (nonfinite ? "nonfinite_command" : error ? "predictor_error" : "unknown"));
  return { values, nonfinite, mode, limits, fallback };
}

/** Tick latencies kept for the percentiles: a long-running node reports its recent behaviour, in bounded memory. */
export const TICK_WINDOW = 8192;

/** A ring of the last `size` tick times (ms) and their percentiles. */
export class TickTimes {
  private readonly ring: Float64Array;
  private n = 0;

  constructor(readonly size = TICK_WINDOW) {
    this.ring = new Float64Array(size);
  }

  add(ms: number): void {
    if (!Number.isFinite(ms)) return;
    this.ring[this.n % this.size] = ms;
    this.n++;
  }

  /** Nearest-rank percentiles (p in 0..100) of what the ring holds, or null when empty. */
  percentiles(ps: readonly number[]): (number | null)[] {
    const count = Math.min(this.n, this.size);
    if (count === 0) return ps.map(() => null);
    const sorted = this.ring.slice(0, count).sort();
    return ps.map((p) => sorted[Math.min(count - 1, Math.max(0, Math.ceil((p / 100) * count) - 1))]);
  }
}

const bump = (m: Record<string, number>, k: string) => void (m[k] = (m[k] ?? 0) + 1);

/**
 * The one count of a run's ticks (modes, limits, fallbacks, non-finite guard, predictor errors, deadline misses,
 * latency): the live node's stats, the replay report and the simulator's run all read it.
 */
export class TickTally {
  ticks = 0;
  readonly modes: Record<CommandMode, number> = { model: 0, fallback: 0, stop: 0 };
  /** Ticks on which each limit (or the non-finite guard) acted. */
  readonly limits: Record<string, number> = {};
  /** Ticks on which at least one limit acted. */
  limitTicks = 0;
  /** Non-model ticks by the fault that began the episode. */
  readonly fallbacks: Record<string, number> = {};
  nonfiniteCommands = 0;
  predictorErrors = 0;
  deadlineMisses = 0;
  /** Ticks on which each fault was found, and fallback episodes begun by each (as policy/tally.ts counts them). */
  readonly faults: Record<string, number> = {};
  readonly episodes: Record<string, number> = {};
  readonly latency = new TickTimes();

  /** What the decider did this tick, whether or not its command is sent. Counted in place: no allocation per tick. */
  decided(r: TickResult): void {
    if (r.error !== undefined) this.predictorErrors++;
    if (r.deadlineMissed) this.deadlineMisses++;
    if (r.tickMs !== undefined) this.latency.add(r.tickMs);
    const faults = r.why.faults;
    for (let i = 0; i < faults.length; i++) {
      const reason = faults[i]!.reason;
      // Once per tick per reason, however many channels it was found on.
      let seen = false;
      for (let j = 0; j < i; j++) if (faults[j]!.reason === reason) seen = true;
      if (!seen) bump(this.faults, reason);
    }
    if (r.why.began && r.why.reason) bump(this.episodes, r.why.reason);
  }

  /** The policy's view of the ticks counted by `commanded` (policy/tally.ts's shape). */
  policyTally(): PolicyTally {
    return { ticks: this.ticks, modes: { ...this.modes }, limits: { ...this.limits }, limitTicks: this.limitTicks, faults: { ...this.faults }, episodes: { ...this.episodes } } as PolicyTally;
  }

  /** A command that went out (or, in replay and simulation, every tick's command). */
  commanded(o: CommandOutcome): void {
    this.ticks++;
    if (o.nonfinite) this.nonfiniteCommands++;
    this.modes[o.mode]++;
    if (o.limits.length > 0) this.limitTicks++;
    for (const l of o.limits) bump(this.limits, l);
    if (o.fallback) bump(this.fallbacks, o.fallback);
  }
}
