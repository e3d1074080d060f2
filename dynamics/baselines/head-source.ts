/*
 * The baseline a model head answers with, per action (head.source "linear" or "ar"): the same arithmetic as the
 * streaming baselines (linearInto, arInto), on one ActionTrack pushed once per tick, so the real-time predictor,
 * the tfjs reference path and evaluation give the same numbers. "hold_last" needs no track (decodeHead's context).
 */
import type { Frame } from "../../perception/types.js";
import { ActionTrack } from "./action-track.js";
import { arInto, type ArFit } from "./ar.js";
import { LINEAR_K, linearInto } from "./linear.js";

/** What a head's baseline sources need to know. */
export interface SourceHead {
  readonly source?: readonly string[];
  readonly fallback: readonly number[];
  readonly ar?: ArFit;
}

/** Whether any action is answered by a baseline that needs past actions (linear or AR). */
export function needsSourceTrack(head: SourceHead): boolean {
  return !!head.source?.some((s) => s === "linear" || s === "ar");
}

export class SourceTrack {
  private readonly track: ActionTrack;
  private readonly src: readonly string[];
  private readonly ar: ArFit | undefined;
  private readonly d: Float64Array;

  constructor(frameChannels: readonly string[], actions: readonly string[], rate: number, private readonly horizon: number, head: SourceHead) {
    this.src = head.source ?? [];
    this.ar = head.ar;
    if (this.src.includes("ar") && !this.ar) throw new Error('head.source answers an action with "ar" but head.ar (the AR fit) is missing');
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
    for (let a = 0; a < this.src.length; a++) {
      if (this.src[a] === "linear") linearInto(this.track, a, LINEAR_K, this.horizon, base);
      else if (this.src[a] === "ar") arInto(this.track, a, this.ar!.phi[a], this.horizon, base, this.d);
    }
    return base;
  }
}
