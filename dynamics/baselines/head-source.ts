/*
 * The baseline a model head needs per action: the one answering it (head.source "linear" or "ar"), or the one the
 * net's residual is over (head.residual_over "linear" or "ar"). The same arithmetic as the streaming baselines
 * (linearInto, arInto), on one ActionTrack pushed once per tick, so the real-time predictor, the tfjs reference path,
 * evaluation and the training targets give the same numbers. "hold_last" needs no track (decodeHead's context).
 */
import type { Frame } from "../../perception/types.js";
import { ActionTrack } from "./action-track.js";
import { arInto, type ArFit } from "./ar.js";
import { LINEAR_K, linearInto } from "./linear.js";

/** A baseline a head can answer with or be a residual over, simplest first. */
export type HeadBaseline = "hold_last" | "linear" | "ar";
export const HEAD_BASELINES: readonly HeadBaseline[] = ["hold_last", "linear", "ar"];

/** What a head's baseline sources need to know. */
export interface SourceHead {
  readonly source?: readonly string[];
  /** Per action, the baseline the net's residual is over (absent = hold-last on every action). */
  readonly residual_over?: readonly string[];
  readonly fallback: readonly number[];
  readonly ar?: ArFit;
}

/**
 * The baseline action `a`'s mean is built on: the answering baseline where head.source names one, else (the net
 * answers) the one its residual is over; "hold_last" where neither needs past actions.
 */
export function trackedBaseline(head: SourceHead, a: number): HeadBaseline {
  const s = head.source?.[a];
  if (s === "linear" || s === "ar") return s;
  if (s === "hold_last") return "hold_last";
  const r = head.residual_over?.[a];
  return r === "linear" || r === "ar" ? r : "hold_last";
}

/** Whether any action's mean is built on a baseline that needs past actions (linear or AR). */
export function needsSourceTrack(head: SourceHead): boolean {
  const A = Math.max(head.source?.length ?? 0, head.residual_over?.length ?? 0);
  for (let a = 0; a < A; a++) if (trackedBaseline(head, a) !== "hold_last") return true;
  return false;
}

export class SourceTrack {
  private readonly track: ActionTrack;
  private readonly kind: readonly HeadBaseline[];
  private readonly ar: ArFit | undefined;
  private readonly d: Float64Array;

  constructor(frameChannels: readonly string[], actions: readonly string[], rate: number, private readonly horizon: number, head: SourceHead) {
    this.kind = actions.map((_, a) => trackedBaseline(head, a));
    this.ar = head.ar;
    if (this.kind.includes("ar") && !this.ar) {
      throw new Error(`head.${head.source?.includes("ar") ? "source" : "residual_over"} builds an action on "ar" but head.ar (the AR fit) is missing`);
    }
    const p = this.ar?.p ?? 1;
    this.track = new ActionTrack({ frameChannels, actions, rate, horizon, fallback: head.fallback }, Math.max(LINEAR_K, p + 1));
    this.d = new Float64Array(p);
  }

  reset(): void {
    this.track.reset();
  }

  /** Pushes the newest frame's actions and writes the baseline mean (horizon × A) of every linear/AR action into `base`. */
  step(frame: Frame, base: Float32Array): Float32Array {
    this.track.push(frame);
    for (let a = 0; a < this.kind.length; a++) {
      if (this.kind[a] === "linear") linearInto(this.track, a, LINEAR_K, this.horizon, base);
      else if (this.kind[a] === "ar") arInto(this.track, a, this.ar!.phi[a], this.horizon, base, this.d);
    }
    return base;
  }
}
