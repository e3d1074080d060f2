/** A predicted action sequence: `mean` (and `std`) are horizon × channels, row-major by step. */
export interface ActionSequence {
  /** Time of the first predicted step (s, source clock). */
  readonly t0: number;
  /** Step between predicted rows (s). */
  readonly dt: number;
  readonly channels: readonly string[];
  readonly mean: Float32Array;
  readonly std?: Float32Array;
  /** Which model or baseline produced it. */
  readonly model: string;
}
