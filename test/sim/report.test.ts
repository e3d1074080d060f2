import { describe, it, expect, beforeAll, afterAll } from "vitest";
import { existsSync, mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { chromium, type Browser } from "playwright-core";
import { loadCatalog, CATALOG_DIR } from "../../scenarios/index.js";
import { runScenario, referenceDriver, buildReport, renderHtml, withoutTiming, type ScenarioRun } from "../../sim/index.js";
import { predictingDriver } from "./drivers.js";

const CHROMIUM = "/usr/bin/chromium";
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

describe.skipIf(!existsSync(CHROMIUM))("HTML report in headless Chromium", () => {
  let browser: Browser;
  beforeAll(async () => {
    browser = await chromium.launch({
      executablePath: CHROMIUM,
      args: ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update", "--disable-sync", "--no-first-run"],
    });
  });
  afterAll(async () => browser?.close());

  async function open(html: string, shot: string) {
    const dir = mkdtempSync(join(tmpdir(), "lam-report-"));
    const file = join(dir, "report.html");
    writeFileSync(file, html);
    const page = await browser.newPage({ viewport: { width: 1040, height: 1400 } });
    const errors: string[] = [];
    const requests: string[] = [];
    page.on("console", (m) => m.type() === "error" && errors.push(m.text()));
    page.on("pageerror", (e) => errors.push(String(e)));
    page.on("request", (r) => requests.push(r.url()));
    await page.goto(`file://${file}`);
    await page.screenshot({ path: shot, fullPage: false });
    return { page, errors, requests, file };
  }

  it("renders without console errors or external requests and shows the plots", async () => {
    const html = renderHtml(runs);
    expect(html).not.toMatch(/<script|https?:\/\/(?!www\.w3\.org)/);
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
    await page.close();
  });
});
