/*
 * The head's loss on raw outputs, with its gradient: the Gaussian or Laplace NLL of train.ts (z = (y − last)/scale,
 * μ = raw0, spread = softplus(raw1) + eps), summed over windows, steps and actions; `scale` turns the sum into the
 * batch mean (1 / (B_total · horizon · A)) for the gradient. Also the absolute error |z − μ| for stopOn "ade".
 */
import type { HeadSpec } from "../model.js";

function softplus(x: number): number {
  return x > 20 ? x : x < -20 ? Math.exp(x) : Math.log1p(Math.exp(x));
}

export interface HeadLossArgs {
  /** Raw head outputs, window b at raw[b · stride ..]. */
  readonly raw: ArrayLike<number>;
  readonly stride: number;
  readonly B: number;
  readonly horizon: number;
  readonly A: number;
  readonly last: ArrayLike<number>;
  readonly y: ArrayLike<number>;
  readonly head: HeadSpec;
}

/** Sums of the NLL and of |z − μ| over all B × horizon × A terms; writes scale · ∂loss/∂raw into `draw` when given. */
export function headLoss(a: HeadLossArgs, draw?: Float32Array | Float64Array, scale = 1): { nll: number; ae: number } {
  const { raw, stride, B, horizon: h, A, last, y, head } = a;
  const laplace = head.dist === "laplace";
  let nll = 0;
  let ae = 0;
  for (let b = 0; b < B; b++) {
    for (let k = 0; k < h; k++) {
      for (let j = 0; j < A; j++) {
        const r = b * stride + (k * A + j) * 2;
        const mu = raw[r];
        const r1 = raw[r + 1];
        const s = softplus(r1) + head.eps;
        const z = (y[(b * h + k) * A + j] - last[b * A + j]) / head.scale[j];
        const e = z - mu;
        const abs = Math.abs(e);
        ae += abs;
        let dmu: number;
        let ds: number;
        if (laplace) {
          nll += Math.log(s) + abs / s;
          dmu = -Math.sign(e) / s;
          ds = 1 / s - abs / (s * s);
        } else {
          const q = e / s;
          nll += Math.log(s) + 0.5 * q * q;
          dmu = -e / (s * s);
          ds = 1 / s - (q * q) / s;
        }
        if (draw) {
          draw[r] = scale * dmu;
          draw[r + 1] = scale * ds / (1 + Math.exp(-r1));
        }
      }
    }
  }
  return { nll, ae };
}
