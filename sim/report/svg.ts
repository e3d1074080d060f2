// Inline SVG line plots written by hand: no library, no CDN, deterministic text for the same data.

export interface Series {
  readonly name: string;
  readonly color: string;
  readonly x: readonly number[];
  /** null = a gap in the line. */
  readonly y: readonly (number | null)[];
  readonly dash?: boolean;
  readonly width?: number;
}

export interface Band {
  readonly name: string;
  readonly color: string;
  readonly x: readonly number[];
  readonly lo: readonly number[];
  readonly hi: readonly number[];
}

export interface PlotSpec {
  readonly title: string;
  readonly yLabel: string;
  readonly series: readonly Series[];
  readonly bands?: readonly Band[];
  /** Short vertical ticks along the bottom (e.g. where a limit acted). */
  readonly marks?: readonly { readonly x: number; readonly color: string }[];
  /** Shaded x-ranges (e.g. fallback). */
  readonly spans?: readonly { readonly x0: number; readonly x1: number; readonly color: string }[];
  /** Horizontal reference lines (e.g. a limit). */
  readonly hlines?: readonly { readonly y: number; readonly color: string; readonly label: string }[];
  readonly xLabel?: string;
  readonly width?: number;
  readonly height?: number;
  /** Same scale on both axes (for top-down maps). */
  readonly equalAspect?: boolean;
}

export function esc(s: string): string {
  return s.replace(/&/g, "&amp;").replace(/</g, "&lt;").replace(/>/g, "&gt;").replace(/"/g, "&quot;");
}

const f = (v: number) => (Math.round(v * 10) / 10).toString();

/** 1, 2, 5 × 10^k steps giving about `n` ticks over [lo, hi]. */
export function niceTicks(lo: number, hi: number, n = 5): number[] {
  if (!(hi > lo)) return [lo];
  const raw = (hi - lo) / n;
  const mag = 10 ** Math.floor(Math.log10(raw));
  const step = [1, 2, 5, 10].map((m) => m * mag).find((s) => s >= raw) ?? 10 * mag;
  const out: number[] = [];
  for (let v = Math.ceil(lo / step) * step; v <= hi + step * 1e-9; v += step) out.push(Math.abs(v) < step * 1e-9 ? 0 : v);
  return out;
}

function label(v: number): string {
  const a = Math.abs(v);
  if (a === 0) return "0";
  if (a >= 1000 || a < 0.01) return v.toExponential(1);
  return String(Number(v.toPrecision(3)));
}

export function linePlot(p: PlotSpec): string {
  const W = p.width ?? 760;
  const H = p.height ?? 220;
  const m = { l: 58, r: 12, t: 26, b: 34 };
  const xs: number[] = [];
  const ys: number[] = [];
  for (const s of p.series) {
    s.x.forEach((x, i) => {
      const y = s.y[i];
      if (y !== null && Number.isFinite(y) && Number.isFinite(x)) xs.push(x), ys.push(y);
    });
  }
  for (const b of p.bands ?? []) for (let i = 0; i < b.x.length; i++) if (Number.isFinite(b.lo[i]) && Number.isFinite(b.hi[i])) ys.push(b.lo[i], b.hi[i]);
  for (const h of p.hlines ?? []) ys.push(h.y);
  let x0 = xs.length ? Math.min(...xs) : 0;
  let x1 = xs.length ? Math.max(...xs) : 1;
  let y0 = ys.length ? Math.min(...ys) : 0;
  let y1 = ys.length ? Math.max(...ys) : 1;
  if (x1 - x0 < 1e-9) (x0 -= 0.5), (x1 += 0.5);
  if (y1 - y0 < 1e-9) (y0 -= 0.5), (y1 += 0.5);
  const pad = (y1 - y0) * 0.06;
  y0 -= pad;
  y1 += pad;
  const pw = W - m.l - m.r;
  const ph = H - m.t - m.b;
  if (p.equalAspect) {
    // Widen whichever range is short so one metre is the same length on both axes.
    const sx = pw / (x1 - x0);
    const sy = ph / (y1 - y0);
    if (sx < sy) {
      const c = (y0 + y1) / 2, h = ph / sx / 2;
      (y0 = c - h), (y1 = c + h);
    } else {
      const c = (x0 + x1) / 2, w = pw / sy / 2;
      (x0 = c - w), (x1 = c + w);
    }
  }
  const X = (x: number) => m.l + ((x - x0) / (x1 - x0)) * pw;
  const Y = (y: number) => m.t + (1 - (y - y0) / (y1 - y0)) * ph;
  const out: string[] = [];
  out.push(`<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 ${W} ${H}" width="${W}" height="${H}" role="img" aria-label="${esc(p.title)}" class="plot">`);
  out.push(`<rect x="${m.l}" y="${m.t}" width="${pw}" height="${ph}" fill="#fff" stroke="#bbb"/>`);
  out.push(`<text x="${m.l}" y="16" font-size="13" font-weight="600">${esc(p.title)}</text>`);
  for (const s of p.spans ?? []) {
    const a = X(Math.max(s.x0, x0));
    const b = X(Math.min(s.x1, x1));
    if (b > a) out.push(`<rect x="${f(a)}" y="${m.t}" width="${f(Math.max(b - a, 1))}" height="${ph}" fill="${s.color}" opacity="0.25"/>`);
  }
  for (const t of niceTicks(x0, x1, 8)) {
    out.push(`<line x1="${f(X(t))}" y1="${m.t}" x2="${f(X(t))}" y2="${m.t + ph}" stroke="#eee"/>`);
    out.push(`<text x="${f(X(t))}" y="${H - m.b + 14}" font-size="10" text-anchor="middle">${label(t)}</text>`);
  }
  for (const t of niceTicks(y0, y1, 5)) {
    out.push(`<line x1="${m.l}" y1="${f(Y(t))}" x2="${m.l + pw}" y2="${f(Y(t))}" stroke="#eee"/>`);
    out.push(`<text x="${m.l - 4}" y="${f(Y(t) + 3)}" font-size="10" text-anchor="end">${label(t)}</text>`);
  }
  out.push(`<text x="${m.l + pw / 2}" y="${H - 4}" font-size="11" text-anchor="middle">${esc(p.xLabel ?? "t (s)")}</text>`);
  out.push(`<text x="12" y="${m.t + ph / 2}" font-size="11" text-anchor="middle" transform="rotate(-90 12 ${m.t + ph / 2})">${esc(p.yLabel)}</text>`);
  for (const h of p.hlines ?? []) {
    out.push(`<line x1="${m.l}" y1="${f(Y(h.y))}" x2="${m.l + pw}" y2="${f(Y(h.y))}" stroke="${h.color}" stroke-dasharray="6 3"/>`);
    out.push(`<text x="${m.l + pw - 2}" y="${f(Y(h.y) - 3)}" font-size="10" text-anchor="end" fill="${h.color}">${esc(h.label)}</text>`);
  }
  for (const b of p.bands ?? []) {
    const up: string[] = [];
    const down: string[] = [];
    for (let i = 0; i < b.x.length; i++) {
      if (!Number.isFinite(b.lo[i]) || !Number.isFinite(b.hi[i])) continue;
      up.push(`${f(X(b.x[i]))},${f(Y(b.hi[i]))}`);
      down.unshift(`${f(X(b.x[i]))},${f(Y(b.lo[i]))}`);
    }
    if (up.length > 1) out.push(`<polygon points="${[...up, ...down].join(" ")}" fill="${b.color}" opacity="0.2" stroke="none"/>`);
  }
  for (const s of p.series) {
    let d = "";
    let pen = false;
    for (let i = 0; i < s.x.length; i++) {
      const y = s.y[i];
      if (y === null || !Number.isFinite(y)) {
        pen = false;
        continue;
      }
      d += `${pen ? "L" : "M"}${f(X(s.x[i]))} ${f(Y(y))}`;
      pen = true;
    }
    if (d) out.push(`<path d="${d}" fill="none" stroke="${s.color}" stroke-width="${s.width ?? 1.5}"${s.dash ? ' stroke-dasharray="5 3"' : ""}/>`);
  }
  for (const mk of p.marks ?? []) {
    if (mk.x < x0 || mk.x > x1) continue;
    out.push(`<line x1="${f(X(mk.x))}" y1="${m.t + ph}" x2="${f(X(mk.x))}" y2="${m.t + ph - 8}" stroke="${mk.color}" stroke-width="1.5"/>`);
  }
  // Legend, top right.
  const items = [...p.series.map((s) => ({ name: s.name, color: s.color, dash: s.dash })), ...(p.bands ?? []).map((b) => ({ name: b.name, color: b.color, dash: false }))];
  let lx = W - m.r;
  for (let i = items.length - 1; i >= 0; i--) {
    const it = items[i];
    const w = 26 + it.name.length * 6;
    lx -= w;
    out.push(`<line x1="${lx}" y1="12" x2="${lx + 18}" y2="12" stroke="${it.color}" stroke-width="2"${it.dash ? ' stroke-dasharray="5 3"' : ""}/>`);
    out.push(`<text x="${lx + 21}" y="15" font-size="10">${esc(it.name)}</text>`);
  }
  out.push("</svg>");
  return out.join("");
}
