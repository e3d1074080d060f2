import { CHANNELS, baseChannel } from "./channels.js";
import type { Sample } from "./types.js";
import type { Rejection } from "./validate.js";
import { RollingRobust } from "./rolling-robust.js";

export interface OutlierOptions {
  /** Accepted steps per channel in the rolling median/MAD window. */
  readonly window?: number;
  /** Reject when |x - expected| > k * 1.4826 * MAD (1.4826 MAD estimates sigma for Gaussian noise). */
  readonly k?: number;
  /** Steps needed in the window before anything is judged; until then only the range check applies. */
  readonly minSamples?: number;
  /** This many consecutive rejected samples on a straight line are taken as a real change. */
  readonly confirm?: number;
  /** Lower bound on the step MAD per channel (channel units); default 0.1% of the registry's range. */
  readonly madFloor?: Readonly<Record<string, number>>;
  /**
   * Which channels are judged. Default: continuous ("linear") sensor channels only. Held channels and the
   * registry's `discrete` driver inputs (pedals, buttons, gear, cruise, commands) legitimately jump when a
   * person acts, and a median filter would eat every press and toggle.
   */
  readonly channels?: (channel: string) => boolean;
}

const SIGMA_PER_MAD = 1.4826;

/** Per channel: the last accepted value, the rolling window of accepted steps, the run of rejected values. */
class ChannelState {
  readonly steps: RollingRobust;
  /** The non-zero steps alone: how big a real update is when the sensor repeats values between updates. */
  readonly changes: RollingRobust;
  last = NaN;
  readonly candidates: number[] = [];
  constructor(n: number, readonly floor: number) {
    this.steps = new RollingRobust(n);
    this.changes = new RollingRobust(n);
  }
  accept(x: number): void {
    if (!Number.isNaN(this.last)) this.step(x - this.last);
    this.last = x;
    this.candidates.length = 0;
  }
  step(d: number): void {
    this.steps.accept(d);
    if (d !== 0) this.changes.accept(d);
  }
}

/**
 * Robust per-channel outlier rejection on the step between samples: the expected value is the last
 * accepted one plus the median of the last N accepted steps, and a sample is rejected when it misses
 * that by more than k * 1.4826 * MAD(steps). Judging steps rather than levels lets ramps and fast but
 * smooth onsets through (a level median lags them and rejected 15% of a 1/10 car's yaw rate); a
 * spike is still a huge step.
 *
 * The MAD floor keeps a constant signal (MAD = 0) from rejecting its first real movement. A genuine
 * step change is accepted once `confirm` consecutive rejected samples lie on a straight line (second
 * differences within the same limit): the newest is accepted and their inner steps join the window;
 * the earlier ones of that run stay counted as outliers.
 */
export class OutlierFilter {
  private readonly n: number;
  private readonly k: number;
  private readonly minSamples: number;
  private readonly confirm: number;
  private readonly judged: (channel: string) => boolean;
  private readonly states = new Map<string, ChannelState | null>();

  constructor(private readonly options: OutlierOptions = {}) {
    this.n = options.window ?? 25;
    this.k = options.k ?? 8;
    this.minSamples = options.minSamples ?? 5;
    this.confirm = options.confirm ?? 3;
    if (!(this.n >= 3 && this.minSamples >= 3 && this.minSamples <= this.n && this.k > 0 && this.confirm >= 1)) {
      throw new Error(`outlier options window=${this.n} minSamples=${this.minSamples} k=${this.k} confirm=${this.confirm} are inconsistent`);
    }
    this.judged = options.channels ?? isNoisySensor;
  }

  /** Returns why the sample is an outlier, or undefined if it is accepted. */
  check(s: Sample): Rejection | undefined {
    if (typeof s.value !== "number") return undefined;
    const st = this.state(s.channel);
    if (!st) return undefined;
    const x = s.value;
    // A NaN would poison the sorted window; validation normally drops it first.
    if (!Number.isFinite(x)) return { reason: "nonfinite", message: `channel=${s.channel} t=${s.t}: value=${x}` };
    if (st.steps.count < this.minSamples) {
      st.accept(x);
      return undefined;
    }
    // Predict from the last accepted value plus the typical step, so ramps and fast onsets pass.
    const step = st.steps.median();
    const scale = SIGMA_PER_MAD * Math.max(this.stepMad(st, step), st.floor);
    const predicted = st.last + step;
    if (Math.abs(x - predicted) <= this.k * scale) {
      st.accept(x);
      return undefined;
    }
    const run = st.candidates;
    run.push(x);
    if (run.length > this.confirm) run.shift();
    if (run.length === this.confirm && smooth(run, this.k * scale)) {
      // A new level (or a new slope): keep its inner steps, not the jump into it.
      for (let i = 1; i < run.length; i++) st.step(run[i] - run[i - 1]);
      st.last = x;
      run.length = 0;
      return undefined;
    }
    return {
      reason: "outlier",
      message: `channel=${s.channel} t=${s.t}: value=${x} is ${(Math.abs(x - predicted) / scale).toFixed(1)} robust sigmas from the expected ${predicted}`,
    };
  }

  /**
   * The MAD of the steps, unless repeats have collapsed it: a sensor re-published faster than it updates (a CAN
   * signal on a faster bus cycle, a relay, F1TENTH's 33 Hz channels fed at 100 Hz) repeats each value, most steps are
   * exactly 0, the MAD is 0, and every real update looked like a spike (19% of such an honest feed was rejected, the
   * node in stop on 4% of its ticks). Then the spread of the real updates is the scale. A MAD above 0 is kept as it is.
   */
  private stepMad(st: ChannelState, step: number): number {
    const mad = st.steps.mad(step);
    if (mad > 0 || st.changes.count < this.minSamples) return mad;
    return st.changes.mad(st.changes.median());
  }

  private state(channel: string): ChannelState | null {
    let st = this.states.get(channel);
    if (st === undefined) {
      const info = CHANNELS.get(baseChannel(channel));
      const floor = this.options.madFloor?.[channel] ?? (info ? 1e-3 * (info.max - info.min) : 0);
      st = this.judged(channel) ? new ChannelState(this.n, floor) : null;
      this.states.set(channel, st);
    }
    return st;
  }
}

/** A continuous sensor channel of the registry, the default set the filter judges. */
export function isNoisySensor(channel: string): boolean {
  const info = CHANNELS.get(baseChannel(channel));
  return info !== undefined && info.interp === "linear" && info.discrete !== true;
}

/** The run follows a straight line within `limit` (second differences), i.e. it is a signal, not scatter. */
function smooth(run: readonly number[], limit: number): boolean {
  if (run.length < 3) return Math.max(...run) - Math.min(...run) <= limit;
  for (let i = 2; i < run.length; i++) if (Math.abs(run[i] - 2 * run[i - 1] + run[i - 2]) > limit) return false;
  return true;
}
