// `lam eval --report FILE.html` on real held-out data (F1TENTH DS1 + DS4 test blocks, the bundled model, with
// --explain): one self-contained page, the same bytes on every run, the tables and curves agreeing with the
// printed figures; in headless Chromium every uPlot plot draws coloured pixels with no console error (and the
// same check reads a page with emptied series as blank). The baselines run once per dataset, whatever reads them.
import { readFileSync, writeFileSync } from "node:fs";
import { mkdtemp } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { chromium, type Browser, type Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { blocksFromRecord, type Block, type FrameSeries } from "../../dynamics/dataset.js";
import { evaluate } from "../../dynamics/evaluate.js";
import { scoreBaselines, standardBaselines, type BaselineMeta } from "../../dynamics/baseline-scores.js";
import { loadModel, type LoadedModel } from "../../dynamics/save.js";
import type { Predictor } from "../../dynamics/types.js";
import { answeredBy, evalRun } from "../../runtime/commands/eval.js";
import { loadSeries } from "../../runtime/drive-frames.js";
import { main } from "../../runtime/main.js";
import { defaultModelDir, dirStore } from "../../runtime/model-dir.js";
import { driveSeries, evalHtml, horizonCurves, type EvalPageInput, type PlotData } from "../../sim/report/index.js";
import { requireTool } from "../support/require-tool.js";

const F1 = resolve(__dirname, "../../../shared/data/f1tenth");
const CHROMIUM = requireTool("chromium");

async function lam(...argv: string[]) {
  const out: string[] = [];
  const err: string[] = [];
  const code = await main(argv, { stdout: { write: (s: string) => (out.push(s), true) }, stderr: { write: (s: string) => (err.push(s), true) } });
  return { code, out: out.join(""), err: err.join("") };
}

function embedded(html: string): { plots: PlotData[] } {
  const m = /<script type="application\/json" id="lam-plot-data">([\s\S]*?)<\/script>/.exec(html);
  if (!m) throw new Error("no embedded plot data");
  return JSON.parse(m[1]) as { plots: PlotData[] };
}

let dir: string;
let html: string;
let html2: string;
let json: { model: { per_channel: Record<string, { ade: number }> }; baselines: Record<string, unknown>; windows: number; explain: { per_feature: Record<string, unknown> } };
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), "lam-eval-report-"));
  const drives = [join(F1, "DS1"), join(F1, "DS4")];
  const a = await lam("eval", ...drives, "--explain", "--report", join(dir, "a", "eval.html"), "--json");
  expect(a.code, a.err).toBe(0);
  expect(a.err).toContain(`lam eval: wrote ${join(dir, "a", "eval.html")}`);
  json = JSON.parse(a.out);
  const b = await lam("eval", ...drives, "--explain", "--report", join(dir, "b.html"));
  expect(b.code, b.err).toBe(0);
  html = readFileSync(join(dir, "a", "eval.html"), "utf8");
  html2 = readFileSync(join(dir, "b.html"), "utf8");
}, 240_000);

describe("lam eval --report (DS1 + DS4 held-out blocks, bundled model, --explain)", () => {
  it("is the same bytes on a second run, and one self-contained file with uPlot inline", () => {
    expect(html2 === html, "same inputs, same bytes").toBe(true);
    expect(html).not.toMatch(/<script[^>]*\ssrc=|<link|\shref="(?!#)|@import|url\(/);
    expect(html).toMatch(/MIT License, Copyright \(c\) 2022 Leon Sorokin/);
  });

  it("tables: every predictor, a ratio row per action, an importance row per input channel", () => {
    for (const name of ["model", ...Object.keys(json.baselines)]) expect(html).toContain(`<td>${name}`);
    expect(html.match(/<tr class="ratio-row">/g)).toHaveLength(2);
    expect(html.match(/<tr class="importance-row">/g)).toHaveLength(Object.keys(json.explain.per_feature).length);
    expect(html).toContain(`on ${json.windows} held-out windows`);
    // lam.json answers speed_cmd by hold-last, steer_cmd by the net.
    expect(html).toMatch(/<tr class="ratio-row"><td>speed_cmd<\/td>.*?<td>hold_last<\/td><\/tr>/);
    expect(html).toMatch(/<tr class="ratio-row"><td>steer_cmd<\/td>.*?<td>model<\/td><\/tr>/);
    // Every plot has its static SVG for readers without JavaScript.
    expect(html.match(/<figure class="plot" id="[^"]+"><svg/g)).toHaveLength(embedded(html).plots.length);
  });

  it("error against horizon: model and each baseline per action, the mean of the model's curve its printed ADE", () => {
    const { plots } = embedded(html);
    const names = ["model", ...Object.keys(json.baselines)];
    for (const ch of ["speed_cmd", "steer_cmd"]) {
      const p = plots.find((x) => x.id === `h-${ch}`)!;
      expect(p.series.map((s) => s.name)).toEqual(names);
      expect(p.x).toHaveLength(20);
      const curve = p.series[0].y as number[];
      expect(curve.reduce((a, b) => a + b, 0) / 20).toBeCloseTo(json.model.per_channel[ch].ade, 4);
    }
    expect(html.match(/<tr class="horizon-row">/g)).toHaveLength(2 * names.length);
  });

  it("per drive and action: recorded, the model 0.5 s and 1 s before, the best baseline 1 s before", () => {
    const { plots } = embedded(html);
    for (const d of [0, 1]) {
      for (const ch of ["speed_cmd", "steer_cmd"]) {
        const p = plots.find((x) => x.id === `d${d}-a-${ch}`)!;
        expect(p.series.map((s) => s.name).slice(0, 3)).toEqual(["recorded", "model, predicted 0.5 s before", "model, predicted 1 s before"]);
        expect(p.series[3].name).toMatch(/^(hold_last|linear|ar4), predicted 1 s before$/);
        // x rises; gaps between held-out blocks are null rows in every series.
        for (let i = 1; i < p.x.length; i++) expect(p.x[i]).toBeGreaterThan(p.x[i - 1]);
        const gaps = p.series[0].y.map((v, i) => (v === null ? i : -1)).filter((i) => i >= 0);
        expect(gaps.length).toBe(d === 0 ? 0 : 1); // DS1 has one held-out block, DS4 two
        for (const s of p.series) for (const i of gaps) expect(s.y[i]).toBeNull();
        // The leads are different views: the 1 s series differs from the 0.5 s one on most rows.
        const both = p.x.map((_, i) => [p.series[1].y[i], p.series[2].y[i]]).filter(([a, b]) => a !== null && b !== null);
        expect(both.length).toBeGreaterThan(50); // DS1: 79 windows, 69 frames with both leads
        expect(both.filter(([a, b]) => a !== b).length).toBeGreaterThan(both.length * 0.5);
      }
    }
  });
});

describe("the page's series, on hand-made windows where every value is known", () => {
  // 2 actions, horizon 4 at 2 Hz (leads: 0.5 s = 1 step, excluded as the first step; 1 s = 2 steps); one drive
  // of 12 frames; windows at first target frames 2..8; truth = frame index per action (+100 for action 1).
  const A = 2;
  const H = 4;
  const ends = [2, 3, 4, 5, 6, 7, 8];
  const n = ends.length;
  const y = new Float32Array(n * H * A);
  const model = new Float32Array(n * H * A);
  const hold = new Float32Array(n * H * A);
  ends.forEach((e, i) => {
    for (let s = 0; s < H; s++) for (let a = 0; a < A; a++) {
      const o = (i * H + s) * A + a;
      y[o] = e + s + 100 * a;
      model[o] = 1000 * i + 10 * s + a; // tagged: window, step, action
      hold[o] = e - 1 + 100 * a; // hold-last: the frame before the window's first target, off by s + 1
    }
  });
  const input: EvalPageInput = {
    modelDir: "m",
    report: {
      model: { ade: 1, fde: 1, per_channel: { a0: { ade: 1, fde: 1 }, a1: { ade: 1, fde: 1 } } },
      baselines: { hold_last: { ade: 2, fde: 2, per_channel: { a0: { ade: 2.5, fde: 4 }, a1: { ade: 2.5, fde: 4 } } } },
      windows: n,
      ratio_to_best_baseline: 0.5,
      best_baseline: "hold_last",
      data: { synthetic: "whole_drive" },
      per_channel_ratio: { a0: { ratio: 0.4, best_baseline: "hold_last" }, a1: { ratio: 0.4, best_baseline: "hold_last" } },
      horizon: { steps: H, seconds: 2 },
    },
    actions: ["a0", "a1"],
    rate: 2,
    horizon: H,
    drives: [{ name: "synthetic", t: Array.from({ length: 12 }, (_, f) => 50 + f / 2) }],
    windows: { n, drive: new Int32Array(n), end: Int32Array.from(ends), y },
    model,
    baselines: { hold_last: hold },
  };

  it("lead k at frame f is step k − 1 of the window whose first target frame is f − k + 1; recorded is the truth", () => {
    const lead2 = driveSeries(input, 0, 1, model, 2);
    // Frame f gets window i = f − 1 − 2 (ends start at 2), step 1, action 1.
    expect([...lead2.entries()]).toEqual(ends.map((e, i) => [e + 1, 1000 * i + 10 + 1]));
    const rec = driveSeries(input, 0, 0, null, 0);
    expect([...rec.keys()]).toEqual(Array.from({ length: 10 }, (_, j) => j + 2));
    for (const [f, v] of rec) expect(v).toBe(f);
  });

  it("horizon curves: hold-last is off by step + 1 at each step; the page plots them and the 1 s lead", () => {
    expect(horizonCurves(hold, y, n, H, ["a0", "a1"], H)).toEqual({ a0: [1, 2, 3, 4], a1: [1, 2, 3, 4] });
    const { plots } = embedded(evalHtml(input));
    expect(plots.find((p) => p.id === "h-a0")!.series[1]).toMatchObject({ name: "hold_last", y: [1, 2, 3, 4] });
    const p = plots.find((q) => q.id === "d0-a-a0")!;
    expect(p.x).toEqual(Array.from({ length: 10 }, (_, j) => (j + 2) / 2)); // seconds from the drive's first frame
    expect(p.series.map((s) => s.name)).toEqual(["recorded", "model, predicted 1 s before", "hold_last, predicted 1 s before"]);
    expect(p.series[1].y).toEqual([null, ...ends.map((_, i) => 1000 * i + 10), null, null]);
    expect(evalHtml(input)).toBe(evalHtml(input));
  });
});

describe("what answers each action, as the page names it", () => {
  it("a baseline alone, the net, or the net as a residual over a baseline other than the last action", () => {
    const head = { kind: "residual-hold", scale: [1, 1, 1], fallback: [0, 0, 0], eps: 1e-3 } as const;
    expect(answeredBy(head)).toEqual(["model", "model", "model"]);
    expect(answeredBy({ ...head, source: ["hold_last", "model", "model"], residual_over: ["hold_last", "ar", "hold_last"] })).toEqual(["hold_last", "model (residual over ar)", "model"]);
  });
});

describe("baselines are scored once per dataset", () => {
  let loaded: LoadedModel;
  let series: FrameSeries[];
  let blocks: Block[];
  beforeAll(async () => {
    loaded = await loadModel(dirStore(defaultModelDir()));
    series = [];
    for (const d of ["DS1", "DS4"]) series.push(await loadSeries(join(F1, d), loaded.meta.spec));
    const test = (loaded.meta.training?.split ?? []).filter((b) => b.role === "test") as Block[];
    blocks = series.flatMap((s) => blocksFromRecord(s, test));
  }, 120_000);

  /** standardBaselines, counting the frames each predictor is stepped over. */
  function counting() {
    const c = { builds: 0, steps: 0 };
    const predictors = (meta: BaselineMeta, channels: readonly string[]): Predictor[] =>
      standardBaselines(meta, channels).map((p) => {
        c.builds++;
        return { ...p, name: p.name, reset: () => p.reset(), step: (f) => (c.steps++, p.step(f)) };
      });
    return { c, predictors };
  }

  it("lam eval's run (report, page means, explain) steps each baseline over each block once; figures as evaluate's own", () => {
    const { c, predictors } = counting();
    const data = { DS1: "test_blocks", DS4: "test_blocks" } as const;
    const run = evalRun(loaded, series, blocks, data, { steps: 20, keepMeans: true, predictors });
    const frames = blocks.reduce((a, b) => a + b.end - b.start, 0);
    const nBaselines = Object.keys(run.report.baselines).length;
    expect(nBaselines).toBe(3); // hold_last, linear, ar4
    expect(c.builds).toBe(blocks.length * nBaselines);
    expect(c.steps).toBe(frames * nBaselines);
    // Unchanged figures: the same report as evaluate running the baselines itself.
    expect(run.report).toEqual(evaluate(loaded, series, blocks, data, { steps: 20 }));
    // A second model on the same dataset (same baselines: here the net answering every action) reuses the scores.
    const other = { ...loaded, meta: { ...loaded.meta, head: { ...loaded.meta.head, source: undefined } } };
    const r2 = evaluate(other, series, blocks, data, { steps: 20, baselines: run.baselines });
    expect(c.steps).toBe(frames * nBaselines);
    expect(r2.baselines).toEqual(run.report.baselines);
    expect(r2).toEqual(evaluate(other, series, blocks, data, { steps: 20 }));
  });

  it("scores made for other steps, other blocks or another AR fit are refused, naming the difference", () => {
    const data = { DS1: "test_blocks", DS4: "test_blocks" } as const;
    const s10 = scoreBaselines(loaded.meta, series, blocks, { steps: 10 });
    expect(() => evaluate(loaded, series, blocks, data, { steps: 20, baselines: s10 })).toThrow(/baseline scores were made for .*"steps":10.*needs .*"steps":20/);
    expect(() => evaluate(loaded, series, blocks.slice(1), data, { steps: 10, baselines: s10 })).toThrow(/baseline scores were made for/);
    const ar = loaded.meta.baselines!.ar!;
    const otherAr = { ...loaded, meta: { ...loaded.meta, baselines: { ar: { ...ar, phi: ar.phi.map((v) => v.map((x) => x / 2)) } } } };
    expect(() => evaluate(otherAr, series, blocks, data, { steps: 10, baselines: s10 })).toThrow(/"ar":/);
  });
});

describe.skipIf(!CHROMIUM.path)(`eval report in headless Chromium${CHROMIUM.skipNote}`, () => {
  let browser: Browser;
  beforeAll(async () => {
    browser = await chromium.launch({ executablePath: CHROMIUM.path!, args: ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update", "--disable-sync", "--no-first-run"] });
  });
  afterAll(async () => browser?.close());

  async function open(file: string) {
    const page = await browser.newPage({ viewport: { width: 1280, height: 1000 } });
    const errors: string[] = [];
    const requests: string[] = [];
    page.on("console", (m) => m.type() === "error" && errors.push(m.text()));
    page.on("pageerror", (e) => errors.push(String(e)));
    page.on("request", (r) => requests.push(r.url()));
    await page.goto(`file://${file}`);
    return { page, errors, requests };
  }

  /** Per uPlot canvas: the share of its pixels that are coloured (saturated), read back from the canvas. */
  const colouredShares = (page: Page) =>
    page.evaluate(`[...document.querySelectorAll(".uplot canvas")].map((c) => {
      const d = c.getContext("2d").getImageData(0, 0, c.width, c.height).data;
      let n = 0;
      for (let i = 0; i < d.length; i += 4) if (d[i + 3] > 0 && Math.max(d[i], d[i + 1], d[i + 2]) - Math.min(d[i], d[i + 1], d[i + 2]) > 60) n++;
      return n / (c.width * c.height);
    })`) as Promise<number[]>;

  it("draws every plot with uPlot at full width with coloured data, requests nothing but the file, logs no error", async () => {
    const file = join(dir, "a", "eval.html");
    const { page, errors, requests } = await open(file);
    const n = embedded(html).plots.length;
    expect(n).toBe(2 + 2 * 2); // horizon per action + per drive per action
    expect(await page.locator(".uplot canvas").count()).toBe(n);
    expect(await page.locator("svg.plot:visible").count()).toBe(0);
    const box = await page.locator(".uplot").first().boundingBox();
    expect(box!.width).toBeGreaterThan(1100);
    const shares = await colouredShares(page);
    if (process.env.LAM_DEBUG_PLOTS) console.log(`coloured shares: ${shares.map((s) => s.toFixed(4)).join(" ")}`);
    shares.forEach((s, i) => expect(s, `plot ${i}`).toBeGreaterThan(0.002));
    await page.screenshot({ path: join(dir, "eval.png"), fullPage: true });
    expect(errors).toEqual([]);
    expect(requests).toEqual([`file://${file}`]);
    await page.close();
  });

  it("the pixel check can fail: with every series emptied, the same plots read as blank", async () => {
    const data = embedded(html);
    const blank = { plots: data.plots.map((p) => ({ ...p, series: p.series.map((s) => ({ ...s, y: s.y.map(() => null) })) })) };
    const file = join(dir, "blank.html");
    writeFileSync(file, html.replace(/(<script type="application\/json" id="lam-plot-data">)[\s\S]*?(<\/script>)/, (_, a: string, b: string) => a + JSON.stringify(blank).replace(/</g, "\\u003c") + b));
    const { page, errors } = await open(file);
    const shares = await colouredShares(page);
    expect(shares.length).toBe(data.plots.length);
    for (const s of shares) expect(s).toBeLessThan(0.002);
    expect(errors).toEqual([]);
    await page.close();
  });
});
