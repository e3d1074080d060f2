import { map, type MonoTypeOperatorFunction } from "rxjs";
import { normaliser } from "../normalise.js";
import type { Frame, FrameSpec, Normalisation } from "../types.js";

/** z = (x - mean) / std per channel (normalise.ts, the one normalisation); Missing stays Missing, its value NaN. */
export function normaliseFrames(norm: Normalisation, spec: FrameSpec): MonoTypeOperatorFunction<Frame> {
  return map(normaliser(norm, spec));
}
