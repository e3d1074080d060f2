// The replay report a person reads, from `lam replay` on a real drive (F1TENTH DS1, the bundled model): one
// self-contained file, the same bytes on every run, no sim-only columns, the k-ahead series it embeds equal to
// the predictions made k ticks earlier, error-against-horizon rows; and in headless Chromium the interactive
// plots draw (pixels, not just elements), zoom, and name the limit under the cursor, without console errors.
import { existsSync, readFileSync } from "node:fs";
import { mkdtemp } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { spawnSync } from "node:child_process";
import { chromium, type Browser, type Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { main } from "../../runtime/main.js";
import { decodeRuns, type ScenarioRun } from "../../sim/index.js";
import type { ScenarioReport } from "../../sim/replay/report.js";
import { aheadSteps, plotNumber, SIM_ONLY_METRICS, type PlotData } from "../../sim/report/index.js";

const DS1 = resolve(__dirname, "../../../shared/data/f1tenth/DS1");

function findChromium(): string | null {
  for (const name of ["chromium", "chromium-browser"]) {
    const r = spawnSync("sh", ["-c", `command -v ${name}`], { encoding: "utf8" });
    if (r.status === 0 && r.stdout.trim()) return r.stdout.trim();
  }
  return ["/usr/bin/chromium", "/usr/bin/chromium-browser", "/snap/bin/chromium"].find((p) => existsSync(p)) ?? null;
}
const CHROMIUM = findChromium();

async function lam(...argv: string[]) {
  const err: string[] = [];
  const code = await main(argv, { stdout: { write: () => true }, stderr: { write: (s: string) => err.push(s) } });
  return { code, err: err.join("") };
}

/** The plot data a page embeds for uPlot. */
function embedded(html: string): { plots: PlotData[] } {
  const m = /<script type="application\/json" id="lam-plot-data">([\s\S]*?)<\/script>/.exec(html);
  if (!m) throw new Error("no embedded plot data");
  return JSON.parse(m[1]) as { plots: PlotData[] };
}

let html: string;
let html2: string;
let runs: ScenarioRun[];
let report: ScenarioReport;
let out: string;
beforeAll(async () => {
  const dirs = [await mkdtemp(join(tmpdir(), "lam-report-a-")), await mkdtemp(join(tmpdir(), "lam-report-b-"))];
  for (const d of dirs) {
    const r = await lam("replay", DS1, "--out", d);
    expect(r.code, r.err).toBe(0);
  }
  out = dirs[0];
  html = readFileSync(join(dirs[0], "report.html"), "utf8");
  html2 = readFileSync(join(dirs[1], "report.html"), "utf8");
  runs = decodeRuns(readFileSync(join(dirs[0], "runs.json"), "utf8"), "runs.json");
  report = JSON.parse(readFileSync(join(dirs[0], "report.json"), "utf8")) as ScenarioReport;
}, 240_000);

describe("replay report page (lam replay DS1)", () => {
  it("is the same bytes on two runs, and one self-contained file (no src, no href but #anchors)", () => {
    expect(html2 === html).toBe(true);
    expect(html).not.toMatch(/<script[^>]*\ssrc=|<link|\shref="(?!#)|@import|url\(/);
    expect(html).toContain("uPlot"); // the charting library is inline
    expect(html).toMatch(/MIT License, Copyright \(c\) 2022 Leon Sorokin/);
  });

  it("has no sim-only column or metric (they are null in a replay)", () => {
    const s = report.scenarios[0];
    for (const k of SIM_ONLY_METRICS) expect(s.metrics[k]).toBeNull();
    const summaryHead = /<table class="summary"><tr>(.*?)<\/tr>/.exec(html)![1];
    expect(summaryHead).toContain("fallback share");
    expect(summaryHead).not.toMatch(/collisions|TTC|lane dev|progress/);
    const metrics = /<table class="metrics">(.*?)<\/table>/.exec(html)![1];
    expect(metrics).toContain("<td>ade</td>");
    for (const k of SIM_ONLY_METRICS) expect(metrics).not.toContain(`<td>${k}</td>`);
    expect(html).not.toMatch(/Collisions:/);
  });

  it("embeds, for each lead k, the value the prediction made k ticks earlier gave for that tick", () => {
    const run = runs[0];
    const leads = aheadSteps(run.rate, 20);
    expect(leads).toEqual([10, 20]); // the bundled model: 20 steps at 20 Hz
    const { plots } = embedded(html);
    for (const ch of run.actions) {
      const plot = plots.find((p) => p.id === `s0-a-${ch}`)!;
      expect(plot.x.length).toBe(run.ticks.length); // DS1 is short enough to embed every tick
      const first = plot.series.find((s) => s.name === "predicted, 1st step")!;
      for (const k of leads) {
        const series = plot.series.find((s) => s.name === `predicted ${k / run.rate} s before`)!;
        expect(series, `${ch} ${k}`).toBeDefined();
        let compared = 0;
        let differ = 0;
        run.ticks.forEach((tick, n) => {
          const src = run.ticks[n - k];
          const want = src && Math.abs(tick.t - src.t - k / run.rate) < 0.5 / run.rate ? plotNumber(src.prediction?.ahead?.[String(k)]?.[ch]) : null;
          expect(series.y[n]).toBe(want);
          if (want !== null) compared++;
          if (want !== null && first.y[n] !== null && want !== first.y[n]) differ++;
        });
        expect(compared).toBeGreaterThan(run.ticks.length * 0.9);
        // Not the first step again: the two series are different views.
        expect(differ).toBeGreaterThan(compared * 0.5);
      }
    }
  });

  it("shows error against horizon for the model and every baseline, the mean of each model curve its ADE", () => {
    const d = report.scenarios[0].replay!;
    const h = d.horizon!;
    const baselines = Object.keys(d.baselines);
    expect(Object.keys(h.baselines)).toEqual(baselines);
    const rows = html.match(/<tr class="horizon-row">/g) ?? [];
    // Per drive only (one drive: no pooled block): channel × (model + baselines).
    expect(rows.length).toBe(d.actions.length * (1 + baselines.length));
    for (const ch of d.actions) {
      expect(h.model[ch]).toHaveLength(20);
      const mean = h.model[ch].reduce((a: number, v) => a + v!, 0) / 20;
      expect(mean).toBeCloseTo(d.model.per_channel[ch].ade!, 4);
      const plot = embedded(html).plots.find((p) => p.id === `s0-h-${ch}`)!;
      expect(plot.series.map((s) => s.name)).toEqual(["model", ...baselines]);
      expect(plot.x[0]).toBeCloseTo(0.05, 6);
      expect(plot.x[19]).toBeCloseTo(1, 6);
    }
  });

  it("lists limit events with the limits' names and how they changed the command", () => {
    const limits = Object.keys(report.scenarios[0].replay!.limits);
    expect(limits.length).toBeGreaterThan(0);
    expect(html).toMatch(/Limit events: which limits acted/);
    const row = /<td class="what">([^<]+)<\/td><td class="why">([^<]+)<\/td>/.exec(html)!;
    for (const name of row[1].split(", ")) expect(limits).toContain(name);
    expect(row[2]).toMatch(/^\w+ on \w+: asked -?[\d.e+-]+, sent -?[\d.e+-]+ \(edge -?[\d.e+-]+\)/);
    // And on the plots: one event per onset, named.
    const plot = embedded(html).plots.find((p) => p.id === "s0-a-steer_cmd")!;
    expect(plot.events!.length).toBeGreaterThan(0);
    expect(plot.events![0].text).toMatch(/^t=[\d.]+ s: \w+/);
  });
});

describe.skipIf(!CHROMIUM)(`replay report in headless Chromium${CHROMIUM ? "" : " (skipped: no chromium on this machine)"}`, () => {
  let browser: Browser;
  beforeAll(async () => {
    browser = await chromium.launch({ executablePath: CHROMIUM!, args: ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update", "--disable-sync", "--no-first-run"] });
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

  /** Per uPlot canvas: the share of its pixels that are coloured (saturated), read back from the canvas itself. */
  const colouredShares = (page: Page) =>
    page.evaluate(`[...document.querySelectorAll(".uplot canvas")].map((c) => {
      const d = c.getContext("2d").getImageData(0, 0, c.width, c.height).data;
      let n = 0;
      for (let i = 0; i < d.length; i += 4) if (d[i + 3] > 0 && Math.max(d[i], d[i + 1], d[i + 2]) - Math.min(d[i], d[i + 1], d[i + 2]) > 60) n++;
      return n / (c.width * c.height);
    })`) as Promise<number[]>;

  const legendX = (page: Page, plot: number) => page.locator(".uplot").nth(plot).locator(".u-legend .u-series").first().locator(".u-value").innerText();

  it("draws every plot with uPlot at full width, requests nothing but the file, logs no error", async () => {
    const { page, errors, requests } = await open(join(out, "report.html"));
    const n = embedded(html).plots.length;
    expect(await page.locator(".uplot canvas").count()).toBe(n);
    expect(await page.locator("svg.plot:visible").count()).toBe(0); // the static fallbacks give way
    const box = await page.locator(".uplot").first().boundingBox();
    expect(box!.width).toBeGreaterThan(1100);
    const shares = await colouredShares(page);
    if (process.env.LAM_DEBUG_PLOTS) console.log(`coloured shares: ${shares.map((s) => s.toFixed(4)).join(" ")}`);
    shares.forEach((s, i) => expect(s, `plot ${i}`).toBeGreaterThan(0.002)); // measured 0.019-0.105 on DS1, 0 with the series emptied
    expect(errors).toEqual([]);
    expect(requests).toEqual([`file://${join(out, "report.html")}`]);
    await page.close();
  });

  it("the pixel check can fail: with every series emptied, the same plots read as blank", async () => {
    const data = embedded(html);
    const blank = { plots: data.plots.map((p) => ({ ...p, series: p.series.map((s) => ({ ...s, y: s.y.map(() => null) })), band: undefined, events: [], spans: [] })) };
    const file = join(out, "blank.html");
    const text = html.replace(/(<script type="application\/json" id="lam-plot-data">)[\s\S]*?(<\/script>)/, (_, a: string, b: string) => a + JSON.stringify(blank).replace(/</g, "\\u003c") + b);
    (await import("node:fs")).writeFileSync(file, text);
    const { page, errors } = await open(file);
    const shares = await colouredShares(page);
    if (process.env.LAM_DEBUG_PLOTS) console.log(`blank coloured shares: ${shares.map((s) => s.toFixed(4)).join(" ")}`);
    expect(shares.length).toBe(data.plots.length);
    for (const s of shares) expect(s).toBeLessThan(0.002);
    expect(errors).toEqual([]);
    await page.close();
  });

  it("zooms by dragging and names the limit under the cursor", async () => {
    const { page, errors } = await open(join(out, "report.html"));
    const over = page.locator(".u-over").first();
    await over.scrollIntoViewIfNeeded();
    const b = (await over.boundingBox())!;
    const y = b.y + b.height / 2;
    await page.mouse.move(b.x + b.width * 0.4, y);
    const before = Number(await legendX(page, 0));
    await page.mouse.move(b.x + b.width * 0.3, y);
    const lo = Number(await legendX(page, 0));
    await page.mouse.move(b.x + b.width * 0.5, y);
    const hi = Number(await legendX(page, 0));
    // Drag over [30 %, 50 %]: afterwards 40 % of the width is no longer the same time, and lies inside the range.
    await page.mouse.move(b.x + b.width * 0.3, y);
    await page.mouse.down();
    await page.mouse.move(b.x + b.width * 0.5, y, { steps: 5 });
    await page.mouse.up();
    await page.mouse.move(b.x + b.width * 0.4, y);
    const after = Number(await legendX(page, 0));
    expect(after).not.toBeCloseTo(before, 3);
    expect(after).toBeGreaterThan(lo);
    expect(after).toBeLessThan(hi);
    // Zoom is shared by the drive's plots: the speed plot shows the same time at the same place.
    expect(Number(await legendX(page, 2))).toBeCloseTo(after, 3);
    // Sweep the cursor until a limit event is under it: the tooltip names the limit and the change.
    const names = Object.keys(report.scenarios[0].replay!.limits);
    let tip = "";
    await over.dblclick(); // back to the whole drive
    for (let i = 0; i <= 400 && !tip; i++) {
      await page.mouse.move(b.x + (b.width * i) / 400, y);
      const t = page.locator(".lam-tip").first();
      const text = (await t.isVisible()) ? await t.innerText() : "";
      if (names.some((n) => text.includes(n))) tip = text; // (a fallback span names its reason instead)
    }
    expect(tip).toMatch(/t=[\d.]+ s: /);
    expect(names.some((n) => tip.includes(n))).toBe(true);
    expect(errors).toEqual([]);
    await page.close();
  });
});
