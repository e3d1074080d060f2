/*
 * Training/evaluation data: time blocks per drive, windows cut inside blocks, normalisation from training blocks.
 *
 * Leakage rules: a window (its inputs AND its targets) lies inside one block; where a block follows a block of another
 * role, its first `history + horizon` frames are left unused, so no training input is a near neighbour in time of a
 * test target. Statistics (normalisation, head scale, baseline fits) come from training blocks only.
 */
import type { Frame, Normalisation } from "../perception/types.js";
import { NormalisationSums, UNIT_STD_FLOOR, usable } from "../perception/normalise.js";
import { windowEnds } from "../perception/history.js";
import { channelIndex, encodeWindow, headContext, heldBefore, type HeadSpec, STD_EPS } from "./codec.js";
import type { Prng } from "./prng.js";
import type { ModelSpec } from "./spec.js";
import type { Block, FrameSeries, Role } from "./series.js";

/** One drive's fixed-rate frames with the channel order of its FrameSpec. */
// The data types live in a leaf module (series.ts), so a baseline can take them without importing the codec.
export type { FrameSeries, Role, Block } from "./series.js";

export interface SplitOptions {
  /** Length of a block (s). */
  readonly blockSeconds: number;
  /** Roles of consecutive blocks, cycled. The default puts one test and one validation block in every 70 s. */
  readonly pattern?: readonly Role[];
}

export const DEFAULT_PATTERN: readonly Role[] = ["train", "test", "train", "train", "val", "train", "train"];

/**
 * Cuts every drive into time blocks with roles; a block after a block of another role loses its first `gap` frames.
 * Blocks are cut on the frames' tick times, not their count: frames skip a time break (framesFromDrive), and the
 * blocks, and their roles, stay where they are with the break filled by Missing frames.
 */
export function splitBlocks(series: readonly FrameSeries[], spec: ModelSpec, opts: SplitOptions): Block[] {
  const pattern = opts.pattern ?? DEFAULT_PATTERN;
  const per = Math.max(1, Math.round(opts.blockSeconds * spec.rate));
  const gap = spec.history + spec.horizon;
  const blocks: Block[] = [];
  for (const s of series) {
    const tick = frameTicks(s.frames, spec.rate);
    const n = tick.length === 0 ? 0 : tick[tick.length - 1] + 1;
    const at = (k: number) => firstAtOrAfter(tick, k);
    const count = Math.max(1, Math.round(n / per));
    let prev: Role | undefined;
    for (let b = 0; b < count; b++) {
      const role = pattern[b % pattern.length];
      const rawStart = Math.round((b * n) / count);
      const endTick = Math.round(((b + 1) * n) / count);
      const start = at(prev !== undefined && prev !== role ? Math.min(endTick, rawStart + gap) : rawStart);
      const end = at(endTick);
      prev = role;
      if (end - start < 1) continue;
      blocks.push({ drive: s.name, role, start, end, t0: s.frames[start].t, t1: s.frames[end - 1].t });
    }
  }
  return blocks;
}

/** Each frame's tick from the first at `rate`, at least one more than the previous frame's (frames off the grid count one each). */
export function frameTicks(frames: readonly Frame[], rate: number): Int32Array {
  const tick = new Int32Array(frames.length);
  for (let i = 1; i < frames.length; i++) tick[i] = Math.max(tick[i - 1] + 1, Math.round((frames[i].t - frames[0].t) * rate));
  return tick;
}

/** Index of the first frame whose tick is >= k (frames.length when none). */
export function firstAtOrAfter(tick: Int32Array, k: number): number {
  let lo = 0;
  let hi = tick.length;
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    if (tick[mid] < k) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

/**
 * The blocks of `series` matching recorded ones by drive name and time span (a model's lam.json records its split by
 * time, so that a reload of the same drive finds the same frames).
 */
export function blocksFromRecord(series: FrameSeries, recorded: readonly Omit<Block, "start" | "end">[]): Block[] {
  const out: Block[] = [];
  for (const r of recorded) {
    if (r.drive !== series.name) continue;
    const f = series.frames;
    let start = 0;
    while (start < f.length && f[start].t < r.t0 - 1e-6) start++;
    let end = start;
    while (end < f.length && f[end].t <= r.t1 + 1e-6) end++;
    if (end > start) out.push({ ...r, start, end, t0: f[start].t, t1: f[end - 1].t });
  }
  return out;
}

/** The whole drive as one block of `role` (evaluation on a drive the model never saw). */
export function wholeDrive(series: FrameSeries, role: Role = "test"): Block {
  const f = series.frames;
  return { drive: series.name, role, start: 0, end: f.length, t0: f[0]?.t ?? 0, t1: f[f.length - 1]?.t ?? 0 };
}

/** Of `names`, those with no usable value in any frame of `series` (absent from the drive, or never valid). */
export function unobservedChannels(series: FrameSeries, names: readonly string[]): string[] {
  return names.filter((n) => {
    const j = series.channels.indexOf(n);
    return j < 0 || !series.frames.some((f) => usable(f, j));
  });
}

/**
 * How many windows the whole drive would give: ends e ≥ `history` whose `horizon` target frames have every action
 * usable (as cutWindows counts them inside one block). 0 means no split of this drive can train or score anything.
 */
export function possibleWindows(series: FrameSeries, actions: readonly string[], history: number, horizon: number): number {
  const idx = actions.map((n) => series.channels.indexOf(n));
  if (idx.some((j) => j < 0)) return 0;
  let run = 0;
  let n = 0;
  series.frames.forEach((f, i) => {
    run = idx.every((j) => usable(f, j)) ? run + 1 : 0;
    // Frames [i − horizon + 1, i] are all observed: a window ending its history at i − horizon + 1.
    if (run >= horizon && i - horizon + 1 >= history) n++;
  });
  return n;
}

/**
 * Mean and std of each channel over the usable frames of `blocks` (training blocks only, by the caller's choice), by
 * perception's one normalisation; a constant channel gets std 1.
 */
export function fitNormalisation(series: readonly FrameSeries[], blocks: readonly Block[], names: readonly string[]): Normalisation {
  const sums = new NormalisationSums(names);
  for (const b of blocks) {
    const s = series.find((x) => x.name === b.drive);
    if (!s) throw new Error(`block names drive "${b.drive}", which is not among the series`);
    const idx = channelIndex(s.channels, names);
    for (let i = b.start; i < b.end; i++) sums.add(s.frames[i], idx);
  }
  try {
    return sums.result(UNIT_STD_FLOOR, "error");
  } catch (e) {
    throw new Error(`${(e as Error).message} in the training blocks`);
  }
}

/** Windows as flat arrays, ready for tensors: x [n, T, F] (encoded), last [n, A] and y [n, horizon, A] (physical). */
export interface Windows {
  readonly n: number;
  readonly T: number;
  readonly F: number;
  readonly A: number;
  readonly horizon: number;
  readonly x: Float32Array;
  readonly last: Float32Array;
  readonly y: Float32Array;
  /** Real (unpadded) input length of each window. */
  readonly length: Int32Array;
  /** Drive (index into the series list) and first target frame of each window. */
  readonly drive: Int32Array;
  readonly end: Int32Array;
  /** Windows left out because a target action was Missing. */
  readonly skipped: number;
}

/** The arrays of `n` windows for `spec`, to be filled by the caller (cutWindows, the imitation learner's windows). */
export function allocWindows(n: number, spec: ModelSpec): Omit<Windows, "skipped"> {
  const H = spec.history;
  const h = spec.horizon;
  const F = spec.features.length;
  const A = spec.actions.length;
  return {
    n,
    T: H,
    F,
    A,
    horizon: h,
    x: new Float32Array(n * H * F),
    last: new Float32Array(n * A),
    y: new Float32Array(n * h * A),
    length: new Int32Array(n),
    drive: new Int32Array(n),
    end: new Int32Array(n),
  };
}

export interface WindowOptions {
  /** Draw each window's real length uniformly in [ceil(H/2), H] (training); otherwise every window is H long. */
  readonly variableLength?: Prng;
  /** Take every `stride`-th window end (1 = all). */
  readonly stride?: number;
}

/**
 * Every window inside `blocks`: inputs are frames [e − L, e), targets the action values of frames [e, e + horizon).
 * A window needs H frames of its block before e, so its length can be drawn without leaving the block.
 */
export function cutWindows(
  series: readonly FrameSeries[],
  blocks: readonly Block[],
  spec: ModelSpec,
  norm: Normalisation,
  head: Pick<HeadSpec, "fallback">,
  opts: WindowOptions = {},
): Windows {
  const H = spec.history;
  const h = spec.horizon;
  const F = spec.features.length;
  const A = spec.actions.length;
  const stride = opts.stride ?? 1;
  const ends: { d: number; e: number; start: number; s: FrameSeries; aIdx: Int32Array; fIdx: Int32Array }[] = [];
  let skipped = 0;
  for (const b of blocks) {
    const d = series.findIndex((x) => x.name === b.drive);
    if (d < 0) throw new Error(`block names drive "${b.drive}", which is not among the series`);
    const s = series[d];
    const fIdx = channelIndex(s.channels, spec.features);
    const aIdx = channelIndex(s.channels, spec.actions);
    for (const e of windowEnds(b.start, b.end, H, h, stride)) {
      let ok = true;
      for (let k = 0; k < h && ok; k++) for (let a = 0; a < A && ok; a++) ok = usable(s.frames[e + k], aIdx[a]);
      if (ok) ends.push({ d, e, start: b.start, s, aIdx, fIdx });
      else skipped++;
    }
  }
  const w = allocWindows(ends.length, spec);
  const { x, last, y, length, drive, end } = w;
  const lo = Math.ceil(H / 2);
  const headLike = { kind: "residual-hold", scale: [], eps: STD_EPS, fallback: head.fallback } as HeadSpec;
  const held = new Float64Array(A);
  ends.forEach(({ d, e, start, s, aIdx, fIdx }, i) => {
    const L = opts.variableLength ? opts.variableLength.int(lo, H) : H;
    encodeWindow(s.frames, e, L, H, fIdx, norm, x, i * H * F);
    // The last action observed since the block's start, as the baselines (streamed from each block's start, reset
    // there) and a predictor reset there hold it, whatever the window's drawn length.
    last.set(headContext(s.frames[e - 1], aIdx, headLike, undefined, undefined, heldBefore(s.frames, start, e, aIdx, held)), i * A);
    for (let k = 0; k < h; k++) for (let a = 0; a < A; a++) y[(i * h + k) * A + a] = s.frames[e + k].values[aIdx[a]];
    length[i] = L;
    drive[i] = d;
    end[i] = e;
  });
  return { ...w, skipped };
}

/** Per action, the std of (future − last) pooled over all steps of the training windows: the head's residual scale. */
export function fitHeadScale(w: Windows): number[] {
  const out: number[] = [];
  for (let a = 0; a < w.A; a++) {
    let s = 0;
    let q = 0;
    let c = 0;
    for (let i = 0; i < w.n; i++) {
      for (let k = 0; k < w.horizon; k++) {
        const d = w.y[(i * w.horizon + k) * w.A + a] - w.last[i * w.A + a];
        s += d;
        q += d * d;
        c++;
      }
    }
    const m = c ? s / c : 0;
    const sd = c ? Math.sqrt(Math.max(0, q / c - m * m)) : 0;
    out.push(sd > 1e-6 ? sd : 1);
  }
  return out;
}
