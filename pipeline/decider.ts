import type { ActionSequence, Predictor } from "../dynamics/types.js";
import { Validity, type Frame, type FrameSpec } from "../perception/types.js";
import { initialPolicyMemory, policyStep, type PolicyMemory, type PolicyWhy } from "../policy/step.js";
import type { PolicyParams } from "../policy/params.js";
import type { Command } from "../policy/types.js";
import { pipelineRate, policyAtRate, type PipelineRate } from "./rate.js";

export interface DeciderOptions {
  readonly frameSpec: FrameSpec;
  readonly predictor: Predictor;
  readonly policy: PolicyParams;
  /**
   * Commands per second (the simulator: the scenario's rate); default the model's frame rate. Must be the model's
   * rate or a whole multiple of it; the policy's nominalDt is derived from it (see pipelineRate).
   */
  readonly controlRate?: number;
  /**
   * A wall-clock timer (ms) to measure each tick. Live only: what it reads never changes a command unless
   * `deadlineFallback` is set, so replay and simulation stay deterministic while still reporting latency.
   */
  readonly timer?: () => number;
  /** Per-tick budget (ms); default one control period. */
  readonly deadlineMs?: number;
  /** Live node: a missed deadline is a policy fault (fallback). Off in replay and simulation. */
  readonly deadlineFallback?: boolean;
}

/** One tick of the pipeline: the frame, what the model said, what was sent, and why. */
export interface TickResult {
  readonly frame: Frame;
  readonly prediction?: ActionSequence;
  readonly error?: string;
  readonly command: Command;
  readonly why: PolicyWhy;
  /** Wall-clock cost of predict + policy (ms); only when a timer was given. */
  readonly tickMs?: number;
  readonly deadlineMissed: boolean;
}

/**
 * Frame → prediction → command. The same object runs the live node, the open-loop replay and the closed-loop
 * simulator, so what is evaluated is what runs on the vehicle.
 */
export class Decider {
  private memory: PolicyMemory = initialPolicyMemory();
  private readonly idx: ReadonlyMap<string, number>;
  private readonly deadlineMs: number;
  private lastMissed = false;
  private lastFrameT = -Infinity;
  private last: { prediction?: ActionSequence; error?: string } = {};
  readonly rate: PipelineRate;
  /** The policy as this pipeline runs it (nominalDt = the control period). */
  readonly policy: PolicyParams;

  constructor(private readonly opts: DeciderOptions) {
    this.idx = new Map(opts.frameSpec.channels.map((c, i) => [c.name, i]));
    this.rate = pipelineRate(opts.frameSpec.rate, opts.controlRate);
    this.policy = policyAtRate(opts.policy, this.rate);
    this.deadlineMs = opts.deadlineMs ?? 1000 * this.rate.dt;
  }

  reset(): void {
    this.memory = initialPolicyMemory();
    this.opts.predictor.reset();
    this.lastMissed = false;
    this.lastFrameT = -Infinity;
    this.last = {};
  }

  /** A channel's value only when Fresh this frame (a held or missing path is not tracked). */
  private fresh(frame: Frame, name: string): number | undefined {
    const i = this.idx.get(name);
    return i === undefined || frame.valid[i] !== Validity.Fresh ? undefined : frame.values[i];
  }

  private value(frame: Frame, name: string): number | undefined {
    const i = this.idx.get(name);
    if (i === undefined || frame.valid[i] === Validity.Missing) return undefined;
    const v = frame.values[i];
    return Number.isFinite(v) ? v : undefined;
  }

  /**
   * One control tick at time `t` (default: the frame's). A control loop faster than the model's frame rate calls
   * this with the same frame again: the predictor steps once per new frame (its state advances one frame per
   * step), and the policy acts every tick on the newest prediction, read at its own time.
   */
  tick(frame: Frame, reference?: Readonly<Record<string, number>>, t: number = frame.t): TickResult {
    const { timer, predictor } = this.opts;
    const policy = this.policy;
    const start = timer?.();
    // Frames going back in time are a new episode (a restarted simulator or bag, a re-anchored source clock): the
    // predictor's history no longer precedes them, so it starts over rather than answering from a frozen state.
    if (frame.t < this.lastFrameT) {
      this.opts.predictor.reset();
      this.lastFrameT = -Infinity;
    }
    if (frame.t > this.lastFrameT) {
      this.lastFrameT = frame.t;
      try {
        this.last = { prediction: predictor.step(frame) };
      } catch (e) {
        this.last = { error: `${predictor.name}: ${e instanceof Error ? e.message : String(e)}` };
      }
    }
    const { prediction, error } = this.last;
    const staleChannels: string[] = [];
    this.opts.frameSpec.channels.forEach((c, i) => {
      if (frame.valid[i] !== Validity.Fresh) staleChannels.push(c.name);
    });
    const speed = this.value(frame, "speed");
    const offset = this.fresh(frame, "path_offset");
    const heading = this.fresh(frame, "path_heading");
    const curvature = this.fresh(frame, "path_curv@0s");
    const path = offset === undefined || heading === undefined || curvature === undefined ? undefined : { offset, heading, curvature };
    const result = policyStep(
      {
        prediction,
        error,
        // The previous tick's overrun is known now; this tick's is known only after the command is made.
        deadlineMissed: this.opts.deadlineFallback ? this.lastMissed : false,
        state: { t, speed: speed ?? NaN, steer: this.value(frame, "steer"), accel: this.value(frame, "accel"), staleChannels },
        reference,
        path,
      },
      this.memory,
      policy,
    );
    this.memory = result.memory;
    const tickMs = start === undefined || !timer ? undefined : timer() - start;
    const deadlineMissed = tickMs !== undefined && tickMs > this.deadlineMs;
    this.lastMissed = deadlineMissed;
    return { frame, prediction, error, command: result.command, why: result.why, tickMs, deadlineMissed };
  }
}
