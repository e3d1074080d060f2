import type { ActionSequence } from "../dynamics/types.js";
import { resolveBounds, type LimitName } from "./bounds.js";
import { channelBounds, type TickContext } from "./channel-bounds.js";
import { envelopeAt, type Envelope } from "./envelope.js";
import { fallbackSteer, readFallbackPath, type FallbackPath } from "./fallback-steer.js";
import { PLAUSIBLE_SPEED, isFiniteNumber, showValue, type Fault, type FaultReason } from "./faults.js";
import { INITIAL_MODE, nextMode, type ModeState } from "./mode.js";
import type { ActionChannel, PolicyParams } from "./params.js";
import { readPrediction, type ActedStep } from "./prediction.js";
import type { Command, CommandMode } from "./types.js";

/** What the policy knows of the vehicle this tick. Omit what is unknown: a NaN here is a fault. */
export interface PolicyState {
  /** Tick time (s, the pipeline's clock). */
  readonly t: number;
  /** Measured longitudinal speed (m/s). */
  readonly speed: number;
  /** Measured road-wheel angle (rad): enables the actual_steer_diff limit and a bumpless first steer_cmd. */
  readonly steer?: number;
  /** Measured longitudinal acceleration (m/s²): a bumpless first accel_cmd. */
  readonly accel?: number;
  /** Channels whose current value is not fresh (a Frame's Missing or Held); critical ones become a fault after staleLimit. */
  readonly staleChannels?: readonly string[];
}

export interface PolicyInput {
  readonly prediction?: ActionSequence;
  /** The predictor failed this tick (its message). */
  readonly error?: string;
  /** The prediction came too late for this tick. */
  readonly deadlineMissed?: boolean;
  readonly state: PolicyState;
  /** A simple reference controller's action by channel, blended in with weight params.blend. */
  readonly reference?: Readonly<Record<string, number>>;
  /** The command actually sent last tick, when it may differ from the one this policy returned (another controller, a dropped send). */
  readonly previous?: Command;
  /** The planned path relative to the vehicle, only when fresh this tick: hold and stop steer along it. */
  readonly path?: FallbackPath;
}

/** Everything the policy carries between ticks: plain JSON-able data, so replays can log and restore it. */
export interface PolicyMemory {
  readonly t: number | null;
  /** Values of the last command sent. */
  readonly last: Readonly<Record<string, number>> | null;
  /** Last applied rate of change by channel (speed_cmd: its implied acceleration, for the jerk limit). */
  readonly rate: Readonly<Record<string, number>>;
  /** Values of the last command made in model mode: what "hold" holds. */
  readonly lastSafe: Readonly<Record<string, number>> | null;
  /** Last plausible measured speed (m/s). */
  readonly lastSpeed: number | null;
  readonly mode: ModeState;
  /** How long (s) each critical channel has been stale. */
  readonly staleFor: Readonly<Record<string, number>>;
}

export function initialPolicyMemory(): PolicyMemory {
  return { t: null, last: null, rate: {}, lastSafe: null, lastSpeed: null, mode: INITIAL_MODE, staleFor: {} };
}

/** How the tick's time related to the last one: anything but first/ok/repeat is a "clock" fault or a bad state. */
export type ClockStatus = "first" | "ok" | "repeat" | "backwards" | "jump" | "nonfinite";

/** One limit that changed one channel this tick. */
export interface Intervention {
  readonly limit: LimitName;
  readonly channel: ActionChannel;
  readonly requested: number;
  readonly applied: number;
  /** The limit's edge on the side it acted (for an overridden limit, the edge the value could not reach). */
  readonly bound: number;
}

/** A limit that could not be met because a higher-priority one excluded all it allowed. */
export interface Overridden {
  readonly limit: LimitName;
  readonly channel: ActionChannel;
  readonly lo: number;
  readonly hi: number;
}

/** Why the command is what it is: machine-readable, for logs, the Foxglove panel and scenario reports. */
export interface PolicyWhy {
  readonly mode: CommandMode;
  /** The fault that began the current fallback episode; null in model mode. */
  readonly reason: FaultReason | null;
  /** True on the tick a fallback episode begins. */
  readonly began: boolean;
  /** Every fault found this tick (also while recovering: an empty list means healthy). */
  readonly faults: readonly Fault[];
  /** Healthy time so far (s) while waiting to return to model mode; null otherwise. */
  readonly recovering: number | null;
  /** Where the requested values came from. */
  readonly source: "model" | "hold" | "stop";
  /** Where the requested steering came from: the model, the fresh path (fallbackSteer), or the last safe value held. */
  readonly steerSource: "model" | "path" | "held";
  /** Fractional prediction step read (null when the prediction was not usable). */
  readonly step: number | null;
  /** Reference weight applied by channel (0 where the reference lacked a finite value). */
  readonly blend: Readonly<Record<string, number>>;
  /** The values before the envelope. */
  readonly requested: Readonly<Record<string, number>>;
  readonly interventions: readonly Intervention[];
  readonly overridden: readonly Overridden[];
  readonly clock: ClockStatus;
  /** dt (s) the rate and jerk limits used. */
  readonly dt: number;
  /** The limits in force, read at envelope.speed (the measured speed, or a conservative stand-in when it is bad). */
  readonly envelope: Envelope;
}

export interface PolicyResult {
  readonly command: Command;
  readonly memory: PolicyMemory;
  readonly why: PolicyWhy;
}

const LIMIT_ORDER: readonly LimitName[] = ["steer_angle", "lat_accel", "actual_steer_diff", "steer_rate", "lat_jerk", "max_speed", "lon_accel", "lon_jerk"];
// Bounds a clock jump's effect on timers (s); the jump itself is already a fault.
const MAX_ELAPSED = 3600;
const EPS = 1e-9;
/** Ticks closer together than this (s) are repeats: speed_cmd's implied acceleration Δv/dt needs a usable dt. */
export const MIN_DT = 1e-6;

interface Clock {
  readonly status: ClockStatus;
  readonly dt: number;
  readonly elapsed: number;
}

function readClock(t: unknown, last: number | null, p: PolicyParams): Clock {
  if (!isFiniteNumber(t)) return { status: "nonfinite", dt: 0, elapsed: last === null ? 0 : p.nominalDt };
  if (last === null) return { status: "first", dt: p.nominalDt, elapsed: 0 };
  const raw = t - last;
  // Backwards: allow no change this tick, but count the tick as time passing so a stuck clock cannot hold forever.
  if (raw < 0) return { status: "backwards", dt: 0, elapsed: p.nominalDt };
  // A step too small to divide by is a repeat: the next tick measures from the same last time.
  if (raw < MIN_DT) return { status: "repeat", dt: 0, elapsed: 0 };
  if (raw > p.maxDt) return { status: "jump", dt: p.maxDt, elapsed: Math.min(raw, MAX_ELAPSED) };
  return { status: "ok", dt: raw, elapsed: raw };
}

function asRecord(x: unknown): Record<string, unknown> {
  return x !== null && typeof x === "object" ? (x as Record<string, unknown>) : {};
}

function stateFaults(st: Record<string, unknown>, clock: Clock, lastT: number | null): Fault[] {
  const out: Fault[] = [];
  if (clock.status === "nonfinite") out.push({ reason: "bad_state", detail: `state.t = ${showValue(st.t)}` });
  if (clock.status === "backwards") out.push({ reason: "clock", detail: `time went backwards: t=${showValue(st.t)} after ${lastT}` });
  if (clock.status === "jump") out.push({ reason: "clock", detail: `time jumped ${((st.t as number) - (lastT as number)).toPrecision(3)} s` });
  if (!isFiniteNumber(st.speed)) out.push({ reason: "bad_state", detail: `state.speed = ${showValue(st.speed)}` });
  else if (Math.abs(st.speed) > PLAUSIBLE_SPEED) out.push({ reason: "implausible_state", detail: `state.speed = ${st.speed}: |speed| > ${PLAUSIBLE_SPEED} m/s` });
  for (const k of ["steer", "accel"] as const) {
    if (st[k] !== undefined && !isFiniteNumber(st[k])) out.push({ reason: "bad_state", detail: `state.${k} = ${showValue(st[k])}` });
  }
  return out;
}

function staleness(
  raw: unknown,
  critical: readonly string[],
  before: Readonly<Record<string, number>>,
  elapsed: number,
  limit: number,
): { staleFor: Record<string, number>; faults: Fault[] } {
  const staleFor: Record<string, number> = {};
  const faults: Fault[] = [];
  if (raw !== undefined && !(Array.isArray(raw) && raw.every((c) => typeof c === "string"))) {
    // Unreadable validity: assume the worst about every critical channel.
    faults.push({ reason: "bad_state", detail: `state.staleChannels = ${showValue(raw)}: not a list of channel names` });
    return { staleFor, faults };
  }
  const stale = new Set(raw ?? []);
  for (const ch of critical) {
    if (!stale.has(ch)) continue;
    const s = before[ch] === undefined ? 0 : before[ch] + elapsed;
    staleFor[ch] = s;
    if (s >= limit - EPS) faults.push({ reason: "stale_channel", detail: `${ch} stale for ${s.toPrecision(3)} s (limit ${limit} s)` });
  }
  return { staleFor, faults };
}

interface Prev {
  readonly value: number;
  readonly rate: number;
}

function previousValue(ch: ActionChannel, sent: Record<string, unknown>, memory: PolicyMemory, st: Record<string, unknown>, speedOk: boolean): Prev {
  const mine = memory.last?.[ch];
  const theirs = sent[ch];
  if (isFiniteNumber(theirs)) return { value: theirs, rate: theirs === mine ? (memory.rate[ch] ?? 0) : 0 };
  if (isFiniteNumber(mine)) return { value: mine, rate: memory.rate[ch] ?? 0 };
  // First tick: start from what the vehicle is doing, so the rate limits ramp from there (bumpless).
  const measured = ch === "steer_cmd" ? st.steer : ch === "accel_cmd" ? st.accel : speedOk ? st.speed : undefined;
  return { value: isFiniteNumber(measured) ? measured : 0, rate: 0 };
}

function request(
  ch: ActionChannel,
  source: PolicyWhy["source"],
  acted: ActedStep | null,
  prev: Prev,
  memory: PolicyMemory,
  params: PolicyParams,
  dt: number,
  pathSteer: number | null,
): number {
  if (source === "model" && acted) return acted.mean[ch]!;
  // Holding the wheel while stopping leaves a curve; a fresh path is followed instead (limits still apply).
  if (ch === "steer_cmd" && pathSteer !== null) return pathSteer;
  const held = memory.lastSafe?.[ch];
  const hold = isFiniteNumber(held) ? held : prev.value;
  if (source === "hold" || ch === "steer_cmd") return hold; // no path: steering stays on the last safe curve
  if (ch === "accel_cmd") return -params.fallback.stopDecel;
  const dv = params.fallback.stopDecel * dt;
  return prev.value > 0 ? Math.max(0, prev.value - dv) : Math.min(0, prev.value + dv);
}

/**
 * One tick of the safety policy: a predicted action sequence (or its absence) in, a command that is always
 * finite and inside the speed-dependent envelope out, with the reasons it differs from the prediction.
 * Pure: no clock, no I/O; time comes in as state.t.
 */
export function policyStep(input: PolicyInput, memory: PolicyMemory, params: PolicyParams): PolicyResult {
  const inp = asRecord(input);
  const st = asRecord(inp.state);
  const fb = params.fallback;
  const clock = readClock(st.t, memory.t, params);
  const faults = stateFaults(st, clock, memory.t);
  const speedOk = isFiniteNumber(st.speed) && Math.abs(st.speed) <= PLAUSIBLE_SPEED;
  // A bad speed reading is replaced by the most restrictive plausible one: the lateral limits shrink with v².
  const speed = speedOk ? (st.speed as number) : Math.max(Math.abs(memory.lastSpeed ?? 0), params.maxSpeed);
  const stale = staleness(st.staleChannels, fb.criticalChannels, memory.staleFor, clock.elapsed, fb.staleLimit);
  faults.push(...stale.faults);

  if (inp.error !== undefined && inp.error !== null && inp.error !== "") {
    faults.push({ reason: "model_error", detail: `predictor error: ${showValue(inp.error)}` });
  }
  if (inp.deadlineMissed !== undefined && inp.deadlineMissed !== false) faults.push({ reason: "deadline_missed", detail: "prediction missed the tick deadline" });

  const t = clock.status === "nonfinite" ? (memory.t ?? 0) : (st.t as number);
  let acted: ActedStep | null = null;
  if (inp.prediction === undefined || inp.prediction === null) {
    if (!faults.some((f) => f.reason === "model_error")) faults.push({ reason: "no_prediction", detail: "no prediction this tick" });
  } else {
    const r = readPrediction(inp.prediction, params.channels, t + params.lookahead);
    if ("reason" in r) faults.push(r);
    else {
      acted = r;
      for (const ch of params.channels) {
        const sd = r.std?.[ch];
        const max = fb.maxStd[ch];
        if (max !== undefined && sd !== undefined && sd > max) faults.push({ reason: "spread", detail: `${ch} std ${sd.toPrecision(3)} > ${max}` });
      }
    }
  }

  const mode = nextMode(memory.mode, faults, clock.elapsed, fb, params.nominalDt);
  const source: PolicyWhy["source"] = mode.mode === "model" ? "model" : mode.mode === "fallback" ? "hold" : "stop";
  const env = envelopeAt(params, speed);
  const steer = isFiniteNumber(st.steer) ? st.steer : null;
  // Stopping must progress when the clock does not (stuck, backwards, not finite): each such tick counts as
  // nominalDt, as the mode machine counts it; else a broken clock would hold the last speed for ever.
  const dt = source === "stop" && clock.dt === 0 ? params.nominalDt : clock.dt;
  const ctx: TickContext = { env, params, dt, speed, steer, stopping: source === "stop" };
  // The tracking law is for forward motion; reversing (robot preset) keeps holding.
  const path = source === "model" || speed < 0 ? null : readFallbackPath(inp.path);
  const pathSteer = path === null ? null : fallbackSteer(path, params.wheelbase, speed);
  const steerSource: PolicyWhy["steerSource"] = source === "model" ? "model" : pathSteer !== null && Number.isFinite(pathSteer) ? "path" : "held";
  const sent = asRecord(asRecord(inp.previous).values);
  const reference = asRecord(inp.reference);

  const values: Record<string, number> = {};
  const requested: Record<string, number> = {};
  const blend: Record<string, number> = {};
  const rate: Record<string, number> = {};
  const interventions: Intervention[] = [];
  const overridden: Overridden[] = [];
  for (const ch of params.channels) {
    const prev = previousValue(ch, sent, memory, st, speedOk);
    let req = request(ch, source, acted, prev, memory, params, dt, steerSource === "path" ? pathSteer : null);
    const ref = reference[ch];
    blend[ch] = source === "model" && params.blend > 0 && isFiniteNumber(ref) ? params.blend : 0;
    if (blend[ch] > 0) req = (1 - params.blend) * req + params.blend * (ref as number);
    if (!Number.isFinite(req)) req = prev.value;
    requested[ch] = req;
    // The implied acceleration of speed_cmd is only meaningful inside the acceleration limit.
    const prevRate = Math.max(-env.lonAccLim, Math.min(env.lonAccLim, prev.rate));
    const r = resolveBounds(req, channelBounds(ch, ctx, prev.value, prevRate));
    // Unreachable by construction (every edge is finite); kept so no path can ever emit a NaN command.
    const value = Number.isFinite(r.value) ? r.value : prev.value;
    values[ch] = value;
    if (ch === "speed_cmd") {
      const applied = dt > 0 ? (value - prev.value) / dt : prevRate;
      // Δv/dt overflows to ±Infinity after a huge sent command: its sign still holds, so it clamps like any large value.
      rate[ch] = Number.isNaN(applied) ? 0 : Math.max(-env.lonAccLim, Math.min(env.lonAccLim, applied));
    }
    for (const b of r.acted) {
      interventions.push({ limit: b.limit, channel: ch, requested: req, applied: value, bound: value < req ? b.hi : b.lo });
    }
    for (const b of r.overridden) overridden.push({ limit: b.limit, channel: ch, lo: b.lo, hi: b.hi });
  }
  const acting = new Set(interventions.map((i) => i.limit));
  const command: Command = { t, values, mode: mode.mode, limits: LIMIT_ORDER.filter((l) => acting.has(l)) };
  const next: PolicyMemory = {
    t: clock.status === "nonfinite" || clock.status === "repeat" ? memory.t : t,
    last: values,
    rate,
    lastSafe: mode.mode === "model" ? values : memory.lastSafe,
    lastSpeed: speedOk ? (st.speed as number) : memory.lastSpeed,
    mode,
    staleFor: stale.staleFor,
  };
  const why: PolicyWhy = {
    mode: mode.mode,
    reason: mode.reason,
    began: memory.mode.mode === "model" && mode.mode !== "model",
    faults,
    recovering: mode.mode === "model" ? null : mode.healthyFor,
    source,
    steerSource,
    step: acted ? acted.step : null,
    blend,
    requested,
    interventions,
    overridden,
    clock: clock.status,
    dt,
    envelope: env,
  };
  return { command, memory: next, why };
}
