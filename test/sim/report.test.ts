import { describe, it, expect, beforeAll, afterAll } from "vitest";
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { chromium, type Browser } from "playwright-core";
import { loadCatalog, CATALOG_DIR } from "../../scenarios/index.js";
import { runScenario, referenceDriver, buildReport, renderHtml, withoutTiming, type ScenarioRun } from "../../sim/index.js";
import { decodePng, inkStats } from "../support/png.js";
import { requireTool } from "../support/require-tool.js";
import { predictingDriver } from "./drivers.js";

// Found as scripts/test-deps.sh finds it (chromium or chromium-browser on PATH, then the usual paths); under CI=true
// a missing Chromium fails this file instead of skipping the browser tests.
const CHROMIUM = requireTool("chromium");
let runs: ScenarioRun[];
beforeAll(() => {
  const cat = loadCatalog(CATALOG_DIR).filter((s) => ["lane-change-pass", "robot-track", "cut-in"].includes(s.name));
  runs = cat.map((sc, i) =>
    runScenario(sc, i === 0 ? referenceDriver() : predictingDriver({ dt: 1 / sc.rate, steerLimit: 0.2, fallbackFrom: 5, fallbackTo: 6 }), { seed: 9, now: (() => { let t = 0; return () => (t += 1.5); })() }),
  );
});

describe("JSON report", () => {
  it("has the CLI contract's shape, with wall-clock figures only under timing", () => {
    const rep = buildReport(runs);
    expect(Object.keys(rep)).toEqual(["scenarios", "summary"]);
    for (const s of rep.scenarios) {
      expect(Object.keys(s)).toEqual(["name", "passed", "metrics", "timing", "failed"]);
      expect(Object.keys(s.metrics)).toEqual(["collisions", "min_ttc_s", "max_lat_accel", "max_lon_accel", "min_lon_accel", "max_lon_jerk", "max_yaw_rate", "max_lane_deviation_m", "progress", "fallback_share", "limit_events", "nonfinite_commands", "ade", "fde"]);
      expect(Object.keys(s.timing)).toEqual(["p50_tick_ms", "p99_tick_ms", "deadline_misses"]);
    }
    expect(rep.summary.scenarios).toBe(3);
    expect(rep.scenarios[1].metrics.fallback_share).toBeGreaterThan(0);
    expect(rep.scenarios[1].metrics.ade).not.toBeNull();
    const text = JSON.stringify(withoutTiming(rep));
    expect(text).not.toContain("tick_ms");
  });
});

describe.skipIf(!CHROMIUM.path)(`HTML report in headless Chromium${CHROMIUM.skipNote}`, () => {
  let browser: Browser;
  beforeAll(async () => {
    browser = await chromium.launch({
      executablePath: CHROMIUM.path!,
      args: ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update", "--disable-sync", "--no-first-run"],
    });
  });
  afterAll(async () => browser?.close());

  async function open(html: string, shot: string) {
    const dir = mkdtempSync(join(tmpdir(), "lam-report-"));
    const file = join(dir, "report.html");
    writeFileSync(file, html);
    // JavaScript off: these check the static SVG plots every page carries for readers whose browser cannot run the
    // inlined uPlot (the interactive plots are checked in report-page.test.ts).
    const page = await browser.newPage({ viewport: { width: 1040, height: 1400 }, javaScriptEnabled: false });
    const errors: string[] = [];
    const requests: string[] = [];
    page.on("console", (m) => m.type() === "error" && errors.push(m.text()));
    page.on("pageerror", (e) => errors.push(String(e)));
    page.on("request", (r) => requests.push(r.url()));
    await page.goto(`file://${file}`);
    await page.screenshot({ path: shot, fullPage: false });
    return { page, errors, requests, file };
  }

  /** A style sheet added from outside the page (addStyleTag waits for a load event a page without JavaScript never fires). */
  const addStyle = (page: import("playwright-core").Page, css: string) =>
    page.evaluate(`void document.head.appendChild(Object.assign(document.createElement("style"), { textContent: ${JSON.stringify(css)} }))`);

  /** Each svg.plot, screenshotted on its own: data lines drawn inside it (geometry in the page, ink in the pixels). */
  async function expectPlotsDrawn(page: import("playwright-core").Page) {
    const plots = page.locator("svg.plot");
    const n = await plots.count();
    expect(n).toBeGreaterThan(0);
    for (let i = 0; i < n; i++) {
      const plot = plots.nth(i);
      await plot.scrollIntoViewIfNeeded();
      // Geometry: some data path (grid, frame and legend are lines and rects) with a visible stroke spans a real extent.
      const lines = await plot.evaluate((svg) =>
        [...svg.querySelectorAll("path")]
          .map((el) => {
            // (Runs in the page; the test's tsconfig has no DOM lib, hence the casts.)
            const b = (el as unknown as { getBBox(): { width: number; height: number } }).getBBox();
            const st = (globalThis as unknown as { getComputedStyle(e: unknown): { stroke: string; visibility: string; display: string } }).getComputedStyle(el);
            return { w: b.width, h: b.height, stroke: st.stroke, visible: st.visibility !== "hidden" && st.display !== "none" };
          })
          .filter((l) => l.visible && l.stroke !== "none" && (l.w > 20 || l.h > 20)),
      );
      expect(lines.length, `plot ${i}: no drawn line`).toBeGreaterThan(0);
      // Pixels: coloured ink beyond the legend's few swatches (frame, grid and labels are grey).
      const { ink, coloured } = inkStats(decodePng(await plot.screenshot()));
      if (process.env.LAM_DEBUG_PLOTS) console.log(`plot ${i}: ink ${ink.toFixed(4)} coloured ${coloured.toFixed(4)}`);
      expect(ink, `plot ${i}: ink share`).toBeGreaterThan(0.01);
      expect(coloured, `plot ${i}: no coloured data drawn`).toBeGreaterThan(0.001); // measured: 0.0026-0.05 drawn, 0.0002 with the paths white
    }
  }

  it("renders without console errors or external requests and shows the plots", async () => {
    const html = renderHtml(runs);
    // Self-contained: scripts and styles inline, nothing loaded from elsewhere (no src, no href but #anchors).
    expect(html).not.toMatch(/<script[^>]*\ssrc=|<link|\shref="(?!#)|@import|url\(/);
    const { page, errors, requests, file } = await open(html, "/tmp/lam-sim-report.png");
    expect(errors).toEqual([]);
    expect(requests).toEqual([`file://${file}`]);
    // Per scenario: one plot per action channel + speed + lateral offset + top-down (+ spread with predictions).
    expect(await page.locator("svg.plot").count()).toBe(5 + 6 + 6);
    const box = await page.locator("svg.plot").first().boundingBox();
    expect(box!.width).toBeGreaterThan(500);
    expect(await page.locator("table.summary tr").count()).toBe(4);
    expect(await page.locator("#s1 svg.plot path[stroke-dasharray]").count()).toBeGreaterThan(0); // predicted line
    expect(await page.locator("#s1 svg.plot rect[fill='#ff9800']").count()).toBeGreaterThan(0); // fallback span
    // What the screenshot shows: every plot drew ink (lines, not only its frame) in several colours.
    await expectPlotsDrawn(page);
    // And the page screenshot itself is not blank.
    const shot = inkStats(decodePng(await page.screenshot({ fullPage: false })));
    expect(shot.ink).toBeGreaterThan(0.02);
    expect(errors).toEqual([]);
    await page.close();
  });

  it("renders a replayed drive without road-relative plots", async () => {
    const replay: ScenarioRun = {
      ...runs[0],
      name: "replayed-drive",
      road: null,
      expected_distance: null,
      ticks: runs[0].ticks.map((t) => ({ ...t, s: null, lateral_offset: null, ref_speed: null, ttc: null })),
    };
    const { page, errors } = await open(renderHtml([replay], { title: "replay" }), "/tmp/lam-sim-report-replay.png");
    expect(errors).toEqual([]);
    expect(await page.locator("svg.plot").count()).toBe(3); // steer_cmd, accel_cmd, speed
    await expectPlotsDrawn(page);
    expect(errors).toEqual([]);
    // The check can fail: with the data lines hidden, the same plots count as blank.
    await addStyle(page, "svg.plot path, svg.plot polyline { display: none }");
    await expect(expectPlotsDrawn(page)).rejects.toThrow(/no drawn line/);
    // And the pixels alone tell: paths kept in the page but drawn in white are caught by the screenshot.
    await addStyle(page, "svg.plot path { display: inline !important; stroke: #fff !important }");
    await expect(expectPlotsDrawn(page)).rejects.toThrow(/no coloured data drawn/);
    await page.close();
  });
});
