/*
 * Adam as tfjs's AdamOptimizer computes it (β1 0.9, β2 0.999, ε 1e-7 — tfjs's float32 epsilon — bias-corrected
 * moments from accumulated β powers), over a flat f32 vector, updating only the given ranges (frozen encoder).
 * Optional global-norm gradient clipping before the step.
 */
export interface AdamState {
  readonly m: Float64Array;
  readonly v: Float64Array;
  accB1: number;
  accB2: number;
}

export const ADAM = { beta1: 0.9, beta2: 0.999, epsilon: 1e-7 } as const;

export function adamState(size: number): AdamState {
  return { m: new Float64Array(size), v: new Float64Array(size), accB1: ADAM.beta1, accB2: ADAM.beta2 };
}

/** Scales `grad` (within `ranges`) so its global L2 norm is at most `clipNorm`; returns the norm before clipping. */
export function clipGlobalNorm(grad: Float32Array, ranges: readonly (readonly [number, number])[], clipNorm: number): number {
  let sq = 0;
  for (const [a, b] of ranges) for (let i = a; i < b; i++) sq += grad[i] * grad[i];
  const norm = Math.sqrt(sq);
  if (norm > clipNorm) {
    const f = clipNorm / norm;
    for (const [a, b] of ranges) for (let i = a; i < b; i++) grad[i] *= f;
  }
  return norm;
}

/** One Adam step on P over `ranges` with learning rate lr. */
export function adamStep(P: Float32Array, grad: Float32Array, s: AdamState, lr: number, ranges: readonly (readonly [number, number])[]): void {
  const { beta1: b1, beta2: b2, epsilon: eps } = ADAM;
  const c1 = 1 - s.accB1;
  const c2 = 1 - s.accB2;
  const { m, v } = s;
  for (const [a, b] of ranges) {
    for (let i = a; i < b; i++) {
      const g = grad[i];
      m[i] = b1 * m[i] + (1 - b1) * g;
      v[i] = b2 * v[i] + (1 - b2) * g * g;
      P[i] -= (lr * (m[i] / c1)) / (Math.sqrt(v[i] / c2) + eps);
    }
  }
  s.accB1 *= b1;
  s.accB2 *= b2;
}
