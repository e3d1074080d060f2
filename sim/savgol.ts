// Savitzky–Golay smoothing/differentiation on a uniformly sampled series: at each point, a least-squares
// polynomial over a window of samples, evaluated (or differentiated) there. Near the ends the window is
// shifted inside the series and the fit evaluated off-centre, like scipy's savgol_filter(mode="interp"),
// which nuPlan's comfort metrics use.

/** Solve the (order+1)² normal equations by Gaussian elimination with partial pivoting. */
function solve(a: number[][], b: number[]): number[] {
  const n = b.length;
  for (let c = 0; c < n; c++) {
    let piv = c;
    for (let r = c + 1; r < n; r++) if (Math.abs(a[r][c]) > Math.abs(a[piv][c])) piv = r;
    [a[c], a[piv]] = [a[piv], a[c]];
    [b[c], b[piv]] = [b[piv], b[c]];
    for (let r = c + 1; r < n; r++) {
      const f = a[r][c] / a[c][c];
      for (let k = c; k < n; k++) a[r][k] -= f * a[c][k];
      b[r] -= f * b[c];
    }
  }
  const x = new Array<number>(n).fill(0);
  for (let r = n - 1; r >= 0; r--) {
    let s = b[r];
    for (let k = r + 1; k < n; k++) s -= a[r][k] * x[k];
    x[r] = s / a[r][r];
  }
  return x;
}

/**
 * deriv = 0 smooths, 1 differentiates (per second, with sample spacing dt). The window shrinks to the series
 * length when shorter; a window not larger than the order falls back to the raw series / finite differences.
 */
export function savgol(y: readonly number[], window: number, order: number, deriv: 0 | 1, dt: number): number[] {
  const n = y.length;
  const w = Math.min(window, n);
  if (n === 0) return [];
  if (w <= order) {
    if (deriv === 0) return [...y];
    return y.map((_, i) => (n < 2 ? 0 : (y[Math.min(i + 1, n - 1)] - y[Math.max(i - 1, 0)]) / (dt * (Math.min(i + 1, n - 1) - Math.max(i - 1, 0)))));
  }
  const out = new Array<number>(n);
  const half = Math.floor(w / 2);
  for (let i = 0; i < n; i++) {
    const lo = Math.max(0, Math.min(n - w, i - half));
    // Fit in units of samples centred on i, so the normal equations stay well conditioned.
    const m = order + 1;
    const ata = Array.from({ length: m }, () => new Array<number>(m).fill(0));
    const aty = new Array<number>(m).fill(0);
    for (let j = lo; j < lo + w; j++) {
      const x = j - i;
      const pw = new Array<number>(2 * m - 1);
      pw[0] = 1;
      for (let k = 1; k < pw.length; k++) pw[k] = pw[k - 1] * x;
      for (let r = 0; r < m; r++) {
        aty[r] += pw[r] * y[j];
        for (let c = 0; c < m; c++) ata[r][c] += pw[r + c];
      }
    }
    const coef = solve(ata, aty);
    out[i] = deriv === 0 ? coef[0] : coef[1] / dt;
  }
  return out;
}
