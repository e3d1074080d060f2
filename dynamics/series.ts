import type { Frame } from "../perception/types.js";

/** One drive's frames, as training, evaluation and the baselines read them. */
export interface FrameSeries {
  readonly name: string;
  readonly channels: readonly string[];
  readonly frames: readonly Frame[];
}

export type Role = "train" | "val" | "test";

/** A contiguous run of frames of one drive with one role; frames [start, end) are usable. */
export interface Block {
  readonly drive: string;
  readonly role: Role;
  readonly start: number;
  readonly end: number;
  /** Times of the first and last usable frame (s, source clock): how lam.json names the block. */
  readonly t0: number;
  readonly t1: number;
}
