import { CHANNELS, baseChannel } from "./channels.js";
import type { Sample } from "./types.js";
import type { Rejection } from "./validate.js";
import { RollingRobust } from "./rolling-robust.js";

export interface OutlierOptions {
  /** Accepted samples per channel in the rolling median/MAD window. */
  readonly window?: number;
  /** Reject when |x - median| > k * 1.4826 * MAD (1.4826 MAD estimates sigma for Gaussian noise). */
  readonly k?: number;
  /** Samples needed in the window before anything is judged; until then only the range check applies. */
  readonly minSamples?: number;
  /** This many consecutive rejected samples that agree with each other are taken as a real step change. */
  readonly confirm?: number;
  /** Lower bound on MAD per channel (absolute, channel units); default 0.1% of the registry's range. */
  readonly madFloor?: Readonly<Record<string, number>>;
  /**
   * Which channels are judged. Default: continuous ("linear") channels only, because discrete ones
   * (brake, cruise_active, commands) legitimately jump and a median filter would eat every toggle.
   */
  readonly channels?: (channel: string) => boolean;
}

const SIGMA_PER_MAD = 1.4826;

/** Per channel: the rolling window, and the run of rejected values that might be a step. */
class ChannelState extends RollingRobust {
  readonly candidates: number[] = [];
  constructor(n: number, readonly floor: number) {
    super(n);
  }
  override accept(x: number): void {
    super.accept(x);
    this.candidates.length = 0;
  }
}

/**
 * Robust per-channel outlier rejection: rolling median and MAD over the last N accepted samples.
 *
 * The MAD floor keeps a constant signal (MAD = 0) from rejecting its first real movement; the
 * `confirm` rule lets a genuine step through: after `confirm` consecutive rejections that agree with
 * each other (spread within the same threshold), the newest is accepted and the window restarts
 * from them. The earlier ones of that run stay counted as outliers.
 */
export class OutlierFilter {
  private readonly n: number;
  private readonly k: number;
  private readonly minSamples: number;
  private readonly confirm: number;
  private readonly judged: (channel: string) => boolean;
  private readonly states = new Map<string, ChannelState | null>();

  constructor(private readonly options: OutlierOptions = {}) {
    this.n = options.window ?? 15;
    this.k = options.k ?? 5;
    this.minSamples = options.minSamples ?? 5;
    this.confirm = options.confirm ?? 3;
    if (!(this.n >= 3 && this.minSamples >= 3 && this.minSamples <= this.n && this.k > 0 && this.confirm >= 1)) {
      throw new Error(`outlier options window=${this.n} minSamples=${this.minSamples} k=${this.k} confirm=${this.confirm} are inconsistent`);
    }
    this.judged = options.channels ?? ((ch) => CHANNELS.get(baseChannel(ch))?.interp === "linear");
  }

  /** Returns why the sample is an outlier, or undefined if it is accepted. */
  check(s: Sample): Rejection | undefined {
    if (typeof s.value !== "number") return undefined;
    const st = this.state(s.channel);
    if (!st) return undefined;
    const x = s.value;
    if (st.count < this.minSamples) {
      st.accept(x);
      return undefined;
    }
    const median = st.median();
    const mad = st.mad(median);
    const limit = this.k * SIGMA_PER_MAD * Math.max(mad, st.floor);
    if (Math.abs(x - median) <= limit) {
      st.accept(x);
      return undefined;
    }
    st.candidates.push(x);
    if (st.candidates.length > this.confirm) st.candidates.shift();
    if (st.candidates.length === this.confirm && spread(st.candidates) <= limit) {
      const run = st.candidates.slice();
      st.reset();
      for (const c of run) st.accept(c);
      return undefined;
    }
    return {
      reason: "outlier",
      message: `channel=${s.channel} t=${s.t}: value=${x} is ${(Math.abs(x - median) / (SIGMA_PER_MAD * Math.max(mad, st.floor))).toFixed(1)} robust sigmas from median ${median}`,
    };
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

function spread(xs: readonly number[]): number {
  return Math.max(...xs) - Math.min(...xs);
}
