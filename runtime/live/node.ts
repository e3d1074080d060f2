import { asyncScheduler, merge, Subject, Subscription, type SchedulerLike } from "rxjs";
import type { ActionSink, BridgeInputError, FrameSink, NodeStatus, SampleSource } from "../../pipeline/ports.js";
import type { ActionSequence, Predictor } from "../../dynamics/types.js";
import { perceive } from "../../perception/operators/perceive.js";
import type { OutlierOptions } from "../../perception/outlier-filter.js";
import { RejectTally } from "../../perception/reject-tally.js";
import type { TimingOptions } from "../../perception/timing.js";
import type { Frame, FrameSpec, Sample } from "../../perception/types.js";
import type { PolicyParams } from "../../policy/params.js";
import type { Command } from "../../policy/types.js";
import { PipelineCore } from "../../pipeline/core.js";
import type { TickResult } from "../../pipeline/decider.js";
export type { TickResult } from "../../pipeline/decider.js";
export type { FrameSink } from "../../pipeline/ports.js";
import { resolveTiming, tickDueMs } from "../../perception/timing.js";
import { SourceClock, type SourceClockOptions } from "./clock.js";
import { CommandPacer } from "./pacer.js";
import { addRejections, byReason, statusCounts, type LiveStats } from "./stats.js";

/** What the node needs of a model: its frame layout and a fresh real-time predictor (RuntimeModel fits). */
export interface LiveModel {
  readonly frameSpec: FrameSpec;
  predictor(): Predictor;
}

export interface LiveTiming extends TimingOptions, SourceClockOptions {
  readonly outliers?: OutlierOptions | false;
  /** Per-tick budget (ms) for predict + policy; default one frame period. A miss is a policy fault. */
  readonly deadlineMs?: number;
  /** A tick that fires more than this (ms) after it was due sends no command (see CommandPacer). */
  readonly lateTickMs?: number;
  /** How often (ms, scheduler time) the status is re-published with fresh counts. Default 1000. */
  readonly statusEveryMs?: number;
}

export interface LiveNodeOptions {
  readonly model: LiveModel;
  readonly policy: PolicyParams;
  readonly sources: readonly SampleSource[];
  /** Sinks with a publishFrame (FrameSink) also get every frame. */
  readonly sinks: readonly ActionSink[];
  /** Where frame ticks come from; default asyncScheduler (the wall clock). */
  readonly scheduler?: SchedulerLike;
  /** Wall-clock ms for tick latency; default performance.now. */
  readonly timer?: () => number;
  readonly timing?: LiveTiming;
  /** The model's name in status messages. */
  readonly name?: string;
  /** One line per event worth a human's attention (status changes, the first errors). */
  readonly log?: (line: string) => void;
  /** Every error, for a logger that rate-limits repeats itself; without it the first few go to `log`. */
  readonly warn?: (line: string) => void;
  /** Called once per tick after the command went out (metrics: latency histogram, modes). Must not throw; a throw is counted. */
  readonly onTick?: (tick: TickResult) => void;
}

export interface LiveNode {
  stats(): LiveStats;
  /** Stops ticking, publishes "offline" (retained) to every sink, then closes the sources and the sinks. */
  stop(): Promise<void>;
}

const LOGGED_ERRORS = 5;
/** Samples held while the first anchor waits for a second channel. */
const HELD_MAX = 64;
/**
 * Default reorder window (s) on the wall clock: network, broker and event-loop delays come on top of the sensor's
 * own; perception's 0.05 s default is for recorded data. Each 0.01 s here is 0.01 s more command latency.
 */
export const LIVE_WINDOW_S = 0.1;

function finitePrediction(seq: ActionSequence): boolean {
  for (let i = 0; i < seq.mean.length; i++) if (!Number.isFinite(seq.mean[i])) return false;
  if (seq.std) for (let i = 0; i < seq.std.length; i++) if (!Number.isFinite(seq.std[i])) return false;
  return true;
}

function isFrameSink(sink: ActionSink): sink is ActionSink & FrameSink {
  return typeof (sink as Partial<FrameSink>).publishFrame === "function";
}

/**
 * The live node: sources → perception (on the scheduler) → Decider → every sink.
 *
 * Time: ticks come from the scheduler, not from the data, so a source that goes silent still gets frames (its
 * channels Held, then Missing) and the policy falls back and stops. The source clock is anchored on the first
 * sample (see SourceClock): a sample stamped t is taken to exist at scheduler time (t - origin) s.
 *
 * Nothing a source, the predictor or a sink does can end the node: bad samples are counted by reason, a predictor
 * exception is a policy fault (fallback), a throwing sink is counted, and a command with a non-finite value is
 * never published.
 */
export function startLiveNode(opts: LiveNodeOptions): LiveNode {
  const { model, policy, sources, sinks } = opts;
  const scheduler = opts.scheduler ?? asyncScheduler;
  const timer = opts.timer ?? (() => performance.now());
  const timing = opts.timing ?? {};
  const log = opts.log ?? (() => undefined);
  const name = opts.name ?? "model";
  const spec = model.frameSpec;
  const frameChannels = new Set(spec.channels.map((c) => c.name));
  const frameSinks = sinks.filter(isFrameSink);
  const core = new PipelineCore({
    frameSpec: spec,
    predictor: model.predictor(),
    policy,
    timer,
    deadlineFallback: true,
    ...(timing.deadlineMs === undefined ? {} : { deadlineMs: timing.deadlineMs }),
  });

  // The first anchor needs two channels to agree (one, for a one-channel model): never one message.
  const clock = new SourceClock({ resetChannels: Math.min(2, spec.channels.length), ...timing });
  const periodMs = 1000 / spec.rate;
  const pacer = new CommandPacer({ periodMs, ...(timing.lateTickMs === undefined ? {} : { lateMs: timing.lateTickMs }) });
  const perceiveTiming = resolveTiming({ ...timing, window: timing.window ?? LIVE_WINDOW_S });
  const statusEveryMs = timing.statusEveryMs ?? 1000;
  let pipelineOrigin = 0;
  const unsent = { late: 0, paced: 0 };
  // Modes, limits, predictor errors, deadline misses, latency: the pipeline's one tally (commands: those sent).
  const tickTally = core.tally;
  const startedMs = timer();
  let samplesIn = 0;
  let unused = 0;
  let frames = 0;
  let predictions = 0;
  let nonfinitePredictions = 0;
  let internalErrors = 0;
  let sinkErrors = 0;
  let lastCommand: Command | null = null;
  let logged = 0;
  let stopped = false;

  const note = (line: string): void => {
    if (opts.warn) return opts.warn(line);
    if (logged++ < LOGGED_ERRORS) log(line);
    else if (logged === LOGGED_ERRORS + 1) log(`(further errors are only counted: see stats)`);
  };
  const tally = new RejectTally((_s, reason, message) => note(`sample rejected: ${reason}: ${message}`));
  const each = (what: string, fn: (sink: ActionSink) => void, targets: readonly ActionSink[] = sinks): void => {
    for (const sink of targets) {
      try {
        fn(sink);
      } catch (err) {
        sinkErrors++;
        note(`sink ${what} threw: ${err instanceof Error ? err.message : String(err)}`);
      }
    }
  };

  let status: NodeStatus = { state: "starting" };
  let statusMs = -Infinity;
  let fallbackReason: string | null = null;
  const setStatus = (state: NodeStatus["state"], detail: string): void => {
    const now = scheduler.now();
    const changed = status.state !== state || status.detail !== detail;
    if (!changed && now - statusMs < statusEveryMs) return;
    // Stamped on the node's clock (Unix ms on the wall clock); the counts ride along on every refresh.
    status = { state, t: now / 1000, detail, model: name, counts: statusCounts(stats()) };
    statusMs = now;
    if (changed) log(`status ${state}: ${detail}`);
    each("publishStatus", (s) => s.publishStatus(status));
  };

  const onTick = (frame: Frame): void => {
    frames++;
    const nowMs = scheduler.now();
    each("publishFrame", (s) => (s as ActionSink & FrameSink).publishFrame(frame), frameSinks);
    let r: TickResult;
    let o: ReturnType<PipelineCore["tick"]>["outcome"];
    try {
      ({ result: r, outcome: o } = core.tick(frame));
    } catch (err) {
      internalErrors++;
      note(`tick t=${frame.t}: decider threw: ${err instanceof Error ? err.message : String(err)}`);
      return;
    }
    if (r.error) note(`tick t=${frame.t}: ${r.error}`);
    if (r.prediction) {
      if (finitePrediction(r.prediction)) {
        predictions++;
        each("publishPrediction", (s) => s.publishPrediction(r.prediction!, nowMs));
      } else nonfinitePredictions++;
    }
    const cmd = r.command;
    fallbackReason = o.fallback;
    const pace = pacer.decide(nowMs, tickDueMs(frame.t, pipelineOrigin, perceiveTiming.latency));
    if (o.nonfinite) {
      // The policy guarantees finite values; if that ever breaks, nothing non-finite reaches an actuator.
      tickTally.nonfiniteCommands++;
      note(`tick t=${frame.t}: policy made a non-finite command ${JSON.stringify(cmd.values)}: not published`);
    } else if (pace !== "send") {
      unsent[pace]++;
    } else {
      tickTally.commanded(o);
      lastCommand = cmd;
      each("publishCommand", (s) => s.publishCommand(cmd, nowMs));
    }
    if (opts.onTick) {
      try {
        opts.onTick(r);
      } catch (err) {
        internalErrors++;
        note(`onTick threw: ${err instanceof Error ? err.message : String(err)}`);
      }
    }
    const down = sources.findIndex((s) => !s.stats().connected);
    if (cmd.mode !== "model") setStatus("degraded", `${cmd.mode}: ${r.why.reason ?? r.error ?? "fault"}`);
    else if (down >= 0) setStatus("degraded", `source ${down} disconnected`);
    else setStatus("online", "commanding");
  };

  // Perception is built at the first sample (and again after a source clock reset), when the origin is known.
  const input$ = new Subject<unknown>();
  let pipeline: { input: Subject<unknown>; sub: Subscription } | undefined;
  const startPipeline = (origin: number): void => {
    pipelineOrigin = origin;
    pipeline?.input.complete();
    pipeline?.sub.unsubscribe();
    const input = new Subject<unknown>();
    const sub = input
      .pipe(perceive(spec, { ...perceiveTiming, scheduler, origin, tally, ...(timing.outliers === undefined ? {} : { outliers: timing.outliers }) }))
      .subscribe({
        next: onTick,
        error: (err: unknown) => {
          // Not expected (validation runs first); if it happens, count it and start over at the next sample.
          internalErrors++;
          note(`perception failed: ${err instanceof Error ? err.message : String(err)}; restarting at the next sample`);
          pipeline = undefined;
        },
      });
    pipeline = { input, sub };
  };
  // Samples that arrived before the first anchor: checked again once the clock is anchored (bounded).
  const held: { raw: unknown; t: number; ms: number; channel: string }[] = [];
  const inputSub = input$.subscribe((raw) => {
    const t = (raw as { t?: unknown } | null)?.t;
    if (typeof t === "number" && Number.isFinite(t)) {
      const channel = String((raw as { channel?: unknown }).channel);
      const now = scheduler.now();
      const c = clock.check(t, now, channel);
      if (c === "pending") {
        if (held.length >= HELD_MAX) {
          const old = held.shift()!;
          tally.add(old.raw, "clock", `channel=${old.channel} t=${old.t}: no agreement on the source clock in time`);
        }
        held.push({ raw, t, ms: now, channel });
        return;
      }
      if (c === "anchor") {
        if (clock.resets > 0) log(`source clock reset: re-anchored at origin ${clock.origin}`);
        startPipeline(clock.origin!);
        for (const h of held.splice(0)) {
          const v = clock.check(h.t, h.ms, h.channel);
          if (v === undefined) pipeline!.input.next(h.raw);
          else tally.add(h.raw, "clock", typeof v === "object" ? v.message : `channel=${h.channel} t=${h.t}: not on the anchored clock`);
        }
      } else if (c) return tally.add(raw, c.reason, c.message);
      else if (!pipeline) startPipeline(clock.origin!);
    } else if (!pipeline) {
      // Not a usable stamp: perception counts it (nonfinite / wrong_type); it cannot anchor the clock.
      return tally.add(raw, typeof t === "number" ? "nonfinite" : "wrong_type", `t=${String(t)}: not a finite time`);
    }
    pipeline!.input.next(raw);
  });

  const subs = new Subscription();
  subs.add(
    merge(...sources.map((s) => s.samples$)).subscribe((s: Sample) => {
      samplesIn++;
      // Sources check their samples, but the node does not rely on it: garbage goes on to be counted by perception.
      const channel = (s as Partial<Sample> | null)?.channel;
      if (typeof channel === "string" && !frameChannels.has(channel)) return void unused++;
      try {
        input$.next(s);
      } catch (err) {
        // A throw here would end the subscription to every source: count it and keep going.
        internalErrors++;
        note(`sample ${String(channel)}: ${err instanceof Error ? err.message : String(err)}`);
      }
    }),
  );
  sources.forEach((src, i) =>
    subs.add(src.errors$.subscribe((e: BridgeInputError) => note(`source ${i}: ${e.message}`))),
  );

  const stats = (): LiveStats => {
    const bridges: Record<string, number> = {};
    const sourceStats = sources.map((s) => s.stats());
    for (const s of sourceStats) addRejections(bridges, s.rejected);
    const perception = byReason(tally.counts);
    const [p50, p99, max] = tickTally.latency.percentiles([50, 99, 100]);
    const commands = tickTally.modes;
    return {
      model: name,
      state: status.state,
      samples: { in: samplesIn, unused },
      rejected: {
        bridges,
        perception,
        perception_by_channel: structuredClone(tally.counts),
        total: Object.values(bridges).reduce((a, b) => a + b, 0) + tally.total,
      },
      frames,
      predictions,
      predictor_errors: tickTally.predictorErrors,
      nonfinite_predictions: nonfinitePredictions,
      commands: { ...commands, total: commands.model + commands.fallback + commands.stop },
      nonfinite_commands: tickTally.nonfiniteCommands,
      limit_events: tickTally.limitTicks,
      limits: { ...tickTally.limits },
      internal_errors: internalErrors,
      sink_errors: sinkErrors,
      clock_resets: clock.resets,
      unsent: { ...unsent },
      fallback_reason: fallbackReason,
      mode: lastCommand?.mode ?? null,
      last_command: lastCommand,
      sources: sourceStats,
      sinks: sinks.map((s) => s.stats()),
      timing: {
        p50_tick_ms: p50,
        p99_tick_ms: p99,
        max_tick_ms: max,
        deadline_misses: tickTally.deadlineMisses,
        uptime_s: (timer() - startedMs) / 1000,
      },
    };
  };

  setStatus("online", "waiting for samples");

  return {
    stats,
    async stop() {
      if (stopped) return;
      stopped = true;
      subs.unsubscribe();
      inputSub.unsubscribe();
      pipeline?.sub.unsubscribe();
      pipeline = undefined;
      setStatus("offline", "stopped");
      // allSettled: one sink failing to close must not keep the others (and the broker connection) open.
      await Promise.allSettled(sources.map((s) => s.close()));
      await Promise.allSettled(sinks.map((s) => s.close()));
    },
  };
}
