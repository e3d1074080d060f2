// Open-loop replay: a recorded drive through perception → dynamics → policy on the drive's own clock, each
// prediction compared with what was actually done next. The result is a ScenarioRun (road-relative fields
// null, executed = the recorded actions), so the simulator's metrics and reports apply unchanged.
import type { ActionSequence, Predictor } from "../../dynamics/types.js";
import { frameChannel } from "../../perception/channels.js";
import { framesFromDrive } from "../../perception/frames-from-drive.js";
import { Validity, type Drive, type Frame, type FrameSpec, type RejectCounts } from "../../perception/types.js";
import type { PolicyParams } from "../../policy/params.js";
import { PipelineCore } from "../../pipeline/core.js";
import type { TickResult } from "../../pipeline/decider.js";
import { firstStep } from "../../pipeline/tally.js";
import { RecordedActions, ScoreAccumulator, type PredictorScore } from "./score.js";
import type { LimitIntervention, PassCriteria, ScenarioRun, TickRecord } from "../run.js";
import { predictionAhead } from "../report/ahead.js";
import { HorizonAccumulator, type HorizonError } from "../report/horizon.js";

/** Vehicle state a TickRecord carries; read from the drive where it has them. */
export const STATE_CHANNELS = ["speed", "accel", "lat_accel", "yaw_rate", "steer", "x", "y", "heading"] as const;
type StateChannel = (typeof STATE_CHANNELS)[number];
const S = Object.fromEntries(STATE_CHANNELS.map((c, i) => [c, i])) as Record<StateChannel, number>;

/**
 * A replay needs no road, no traffic and judges nothing about how the person drove: comfort figures describe
 * the recording, not lam. What lam answers for in open loop is a finite command on every tick, so that is the
 * only criterion that can fail (the comfort bounds are set beyond any finite value).
 */
export const REPLAY_CRITERIA: PassCriteria = {
  min_ttc_s: 0,
  max_lat_accel: Number.MAX_VALUE,
  max_lon_accel: Number.MAX_VALUE,
  min_lon_accel: -Number.MAX_VALUE,
  max_lon_jerk: Number.MAX_VALUE,
  max_yaw_rate: Number.MAX_VALUE,
  max_lane_deviation_m: null,
  min_progress: null,
};

/** The model's frame layout (first, in its order), then any state channel it lacks, for the run record. */
export function replayFrameSpec(model: FrameSpec): FrameSpec {
  const have = new Set(model.channels.map((c) => c.name));
  return { rate: model.rate, channels: [...model.channels, ...STATE_CHANNELS.filter((c) => !have.has(c)).map((c) => frameChannel(c))] };
}

export interface ReplayOptions {
  /** Frame layout of the predictor and the baselines (replayFrameSpec of the model's). */
  readonly frameSpec: FrameSpec;
  readonly predictor: Predictor;
  readonly policy: PolicyParams;
  /** The model's action channels, in order. */
  readonly actions: readonly string[];
  /** Scored on exactly the ticks and channels the model is scored on. */
  readonly baselines?: readonly Predictor[];
  /** Wall-clock ms for per-tick latency; what it reads goes only into `tick_ms` (reported under `timing`). */
  readonly timer?: () => number;
  /** Every tick as it is made: where sinks (MCAP, MQTT) attach. */
  readonly onTick?: (tick: TickResult, index: number) => void;
  /** Scenario name (default: the drive's name). */
  readonly name?: string;
  /**
   * Held-out time blocks of this drive (drive clock, s): when the model trained on the drive, the figures over the
   * whole drive include its training data, so the model and baselines are also scored on the predictions whose
   * whole horizon lies inside one of these blocks.
   */
  readonly heldOut?: readonly { readonly t0: number; readonly t1: number }[];
}

/** Scores on the held-out blocks only. */
export interface HeldOutScore {
  readonly blocks: number;
  readonly model: PredictorScore;
  readonly baselines: Readonly<Record<string, PredictorScore>>;
}

/** What a replay reports beyond ScenarioMetrics; deterministic (no wall clock). */
export interface ReplayDetail {
  readonly drive: string;
  readonly path: string;
  readonly format: Drive["format"];
  /** Time of the first frame on the drive's clock (s); tick times in the run are relative to it. */
  readonly t0: number | null;
  readonly rate: number;
  readonly frames: number;
  readonly actions: readonly string[];
  /** Model action channels the drive never records: not scored, never invented. */
  readonly actions_missing: readonly string[];
  /** State channels the drive never records (held at 0 in the run record; their metrics say nothing). */
  readonly state_missing: readonly string[];
  readonly model: PredictorScore;
  /** Baselines on the same ticks and channels as the model. */
  readonly baselines: Readonly<Record<string, PredictorScore>>;
  /** The same on the model's held-out blocks of this drive; null when the model did not train on it. */
  readonly held_out: HeldOutScore | null;
  /** Ticks on which each limit acted, by limit name. */
  readonly limits: Readonly<Record<string, number>>;
  /** Fallback ticks by the fault that began the episode. */
  readonly fallback_reasons: Readonly<Record<string, number>>;
  /** Ticks on which the predictor threw (the policy then fell back). */
  readonly predictor_errors: number;
  /** Error against horizon (per-step ADE) of the model and baselines; absent in reports written before it existed. */
  readonly horizon?: HorizonError;
  /** Samples dropped by the importer and by perception, by channel and reason. */
  readonly rejected: { readonly import: Readonly<Record<string, RejectCounts>>; readonly perception: Readonly<Record<string, RejectCounts>> };
  /**
   * Where the frames' time jumps (the drive fell silent longer than TIME_BREAK_S, or a stamp is far off): a replay
   * over a broken time judges nothing and fails. Absent in reports written before it existed.
   */
  readonly time_breaks?: readonly FrameTimeBreak[];
  readonly notes: readonly string[];
}

/** Two consecutive frames further apart than one tick (1.5 periods): the frames skipped a break in the drive's time. */
export interface FrameTimeBreak {
  readonly from: number;
  readonly to: number;
  readonly gap_s: number;
}

/** Where consecutive frames are more than 1.5 periods apart (the first 20). */
export function frameTimeBreaks(frames: readonly Frame[], rate: number): FrameTimeBreak[] {
  const out: FrameTimeBreak[] = [];
  for (let i = 1; i < frames.length && out.length < 20; i++) {
    const gap = frames[i].t - frames[i - 1].t;
    if (!(gap <= 1.5 / rate)) out.push({ from: frames[i - 1].t, to: frames[i].t, gap_s: Math.round(gap * 1e3) / 1e3 });
  }
  return out;
}

export interface ReplayOutcome {
  readonly run: ScenarioRun;
  readonly detail: ReplayDetail;
}

/**
 * The drive as perception sees it in a replay: only the channels the frames use, as a live node subscribes only
 * to those. On the F1TENTH runs that halves the samples perception handles; every frame but (at most) the first,
 * whose origin an unused channel may set earlier, is the same as from the whole drive.
 */
export function replayInput(drive: Drive, spec: FrameSpec): Drive {
  const used = new Set(spec.channels.map((c) => c.name));
  return { ...drive, channels: drive.channels.filter((c) => used.has(c.name)) };
}

/** Replays a drive: its frames by framesFromDrive, then replayFrames. */
export function replayDrive(drive: Drive, opts: ReplayOptions): ReplayOutcome {
  // framesFromDrive gives exactly the frames of the RxJS `perceive` path under a VirtualTimeScheduler (proven in
  // test/perception/batch-vs-rxjs.test.ts) without a scheduler's per-sample cost: that is what makes an hour of
  // driving replay in seconds.
  const { frames, rejected } = framesFromDrive(replayInput(drive, opts.frameSpec), opts.frameSpec);
  return replayFrames(drive, frames, rejected, opts);
}

function predictionRecord(p: ActionSequence, t: number, rate: number): NonNullable<TickRecord["prediction"]> {
  const { first, spread } = firstStep(p);
  // For the report: what it predicts 0.5 s and 1 s ahead (the first step lies on top of what was done).
  const ahead = predictionAhead(p, t, rate);
  return ahead ? { first, spread, ahead } : { first, spread };
}

const NO_INTERVENTIONS: readonly LimitIntervention[] = Object.freeze([]);
const sorted = (m: Record<string, number>) => Object.fromEntries(Object.entries(m).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)));

/** Replays frames already made from `drive` (e.g. shared by several policies). */
export function replayFrames(drive: Drive, frames: readonly Frame[], perceptionRejected: Readonly<Record<string, RejectCounts>>, opts: ReplayOptions): ReplayOutcome {
  const spec = opts.frameSpec;
  const names = spec.channels.map((c) => c.name);
  const rate = spec.rate;
  const actions = [...opts.actions];
  const recorded = new RecordedActions(frames, names, actions, rate);
  const stateIdx = STATE_CHANNELS.map((c) => names.indexOf(c));
  const stateSeen = new Array<boolean>(STATE_CHANNELS.length).fill(false);
  const state = new Float64Array(STATE_CHANNELS.length);

  const core = new PipelineCore({ frameSpec: spec, predictor: opts.predictor, policy: opts.policy, timer: opts.timer, deadlineFallback: false, actions });
  core.reset();
  const baselines = opts.baselines ?? [];
  for (const b of baselines) b.reset();
  const modelAcc = new ScoreAccumulator(actions);
  const baseAcc = baselines.map(() => new ScoreAccumulator(actions));
  const blocks = opts.heldOut ?? null;
  const heldModel = new ScoreAccumulator(actions);
  const heldBase = baselines.map(() => new ScoreAccumulator(actions));
  const modelHorizon = new HorizonAccumulator(recorded);
  const baseHorizon = baselines.map(() => new HorizonAccumulator(recorded));
  // A prediction is held out only if everything it is scored against is: from its frame to its last step.
  const horizonEnd = (p: ActionSequence) => p.t0 + (p.mean.length / Math.max(1, p.channels.length) - 1) * p.dt;

  const t0 = frames.length ? frames[0].t : null;
  const ticks: TickRecord[] = [];

  for (let i = 0; i < frames.length; i++) {
    const frame = frames[i];
    // One tick through the pipeline's core; every replayed command counts (nothing is paced or held back).
    const { result: r, outcome } = core.tick(frame);
    core.tally.commanded(outcome);
    opts.onTick?.(r, i);
    const err = r.prediction ? recorded.score(i, r.prediction) : null;
    if (err) modelAcc.add(err);
    const held = err !== null && blocks !== null && blocks.some((b) => frame.t >= b.t0 && horizonEnd(r.prediction!) <= b.t1 + 1e-6);
    if (held) heldModel.add(err!);
    const scoredOn = err?.ade.map((x) => x !== null);
    if (scoredOn) modelHorizon.add(i, r.prediction!, scoredOn);
    baselines.forEach((b, j) => {
      const seq = b.step(frame);
      if (!scoredOn) return;
      const e = recorded.score(i, seq, scoredOn);
      baseAcc[j].add(e);
      baseHorizon[j].add(i, seq, scoredOn);
      if (held) heldBase[j].add(e);
    });

    // Hold the last observed state value: a missing speed for one tick is not a stop.
    for (let s = 0; s < stateIdx.length; s++) {
      const j = stateIdx[s];
      if (j < 0 || frame.valid[j] === Validity.Missing) continue;
      const v = frame.values[j];
      if (Number.isFinite(v)) (state[s] = v), (stateSeen[s] = true);
    }

    const executed: Record<string, number> = {};
    actions.forEach((ch, a) => {
      const rec = recorded.value(i, a);
      if (rec !== undefined) executed[ch] = rec;
    });
    const { values: command, mode, limits: lim, fallback } = outcome;
    const p = r.prediction;
    ticks.push({
      t: t0 === null ? 0 : Math.round((frame.t - t0) * 1e6) / 1e6,
      x: state[S.x],
      y: state[S.y],
      heading: state[S.heading],
      speed: state[S.speed],
      accel: state[S.accel],
      lat_accel: state[S.lat_accel],
      yaw_rate: state[S.yaw_rate],
      steer: state[S.steer],
      s: null,
      lateral_offset: null,
      ref_speed: null,
      ttc: null,
      command,
      executed,
      reference: {},
      mode,
      limits: lim,
      interventions: lim.length === 0 ? NO_INTERVENTIONS : r.why.interventions.map((v) => ({ limit: v.limit, channel: v.channel, requested: v.requested, applied: v.applied, bound: v.bound })),
      fallback,
      prediction: p ? predictionRecord(p, frame.t, rate) : null,
      prediction_error: err?.all ?? null,
      tick_ms: r.tickMs ?? null,
    });
  }

  const driveChannels = new Set(drive.channels.map((c) => c.name));
  const actionsMissing = actions.filter((a) => !driveChannels.has(a));
  const stateMissing = STATE_CHANNELS.filter((_, s) => !stateSeen[s]);
  const notes: string[] = [];
  if (actionsMissing.length) {
    notes.push(`the drive records no ${actionsMissing.join(", ")}: ADE/FDE on ${actionsMissing.length > 1 ? "those channels" : "that channel"} are null (not scored, nothing invented)`);
  }
  const unobserved = recorded.neverObserved().filter((a) => !actionsMissing.includes(a));
  if (unobserved.length) notes.push(`${unobserved.join(", ")} recorded but never valid at ${rate} Hz: not scored`);
  if (stateMissing.length) notes.push(`no ${stateMissing.join(", ")} in the drive: held at 0 in the run record`);
  const breaks = frameTimeBreaks(frames, rate);
  if (breaks.length)
    notes.push(`time is broken: ${breaks.length} jump(s) in the frames' time, the first from t=${breaks[0].from} to t=${breaks[0].to} (${breaks[0].gap_s} s): the replay fails`);
  notes.push("comfort metrics describe the recorded driving; a replay fails on non-finite commands or broken time");

  const name = opts.name ?? drive.name;
  const run: ScenarioRun = {
    name,
    description: `open-loop replay of ${drive.path} (${drive.format}), ${frames.length} frames at ${rate} Hz; ${notes.join("; ")}`,
    rate,
    duration: frames.length / rate,
    seed: 0,
    vehicle: `recorded (${drive.format})`,
    actions,
    ticks,
    collisions: [],
    expected_distance: null,
    criteria: REPLAY_CRITERIA,
    fault_counts: {},
    sensor_samples: Object.fromEntries(drive.channels.map((c) => [c.name, c.t.length])),
    deadline_ms: 1000 / rate,
    road: null,
  };
  const detail: ReplayDetail = {
    drive: drive.name,
    path: drive.path,
    format: drive.format,
    t0,
    rate,
    frames: frames.length,
    actions,
    actions_missing: actionsMissing,
    state_missing: stateMissing,
    model: modelAcc.summary(),
    baselines: Object.fromEntries(baselines.map((b, j) => [b.name, baseAcc[j].summary()])),
    held_out: blocks
      ? { blocks: blocks.length, model: heldModel.summary(), baselines: Object.fromEntries(baselines.map((b, j) => [b.name, heldBase[j].summary()])) }
      : null,
    limits: sorted(core.tally.limits),
    fallback_reasons: sorted(core.tally.fallbacks),
    predictor_errors: core.tally.predictorErrors,
    horizon: { step_s: 1 / rate, ticks: modelHorizon.ticks(), model: modelHorizon.curves(), baselines: Object.fromEntries(baselines.map((b, j) => [b.name, baseHorizon[j].curves()])) },
    rejected: { import: drive.rejected, perception: perceptionRejected },
    time_breaks: breaks,
    notes,
  };
  return { run, detail };
}
