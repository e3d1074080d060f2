// Sim reports show what the driver predicted 0.5 s and 1 s before each moment, as replay reports do: the closed
// loop records `prediction.ahead` per tick (sim/report/ahead.ts predictionAhead) and the page plots it. A driver
// that tags every predicted value with (tick, step, channel) makes each plotted value traceable to its source.
import { mkdtemp, readFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { parseScenario } from "../../scenarios/index.js";
import { decodeRuns, renderHtml, runScenario, type Driver } from "../../sim/index.js";
import { aheadSeries, predictionAhead, type PlotData } from "../../sim/report/index.js";
import { main } from "../../runtime/main.js";

const RATE = 20;
const H = 20;
const sc = parseScenario(`
name: straight
vehicle: { model: car }
road: { lane_width: 3.5, lanes: 2, segments: [ { type: straight, length: 400 } ] }
ego: { lane: 0, speed: 15 }
duration: 4
rate: ${RATE}
reference: { speed: 15 }
`);

/** Follows the reference; predicts value tick·1000 + step·10 + channel, first step one tick after the tick. */
function taggingDriver(): Driver {
  let k = 0;
  return {
    reset: () => void (k = 0),
    tick({ t, reference }) {
      const channels = Object.keys(reference).sort();
      const mean = new Float32Array(H * channels.length);
      for (let s = 0; s < H; s++) channels.forEach((_, c) => (mean[s * channels.length + c] = k * 1000 + s * 10 + c));
      k++;
      return { command: { t, values: { ...reference }, mode: "model", limits: [] }, prediction: { t0: t + 1 / RATE, dt: 1 / RATE, channels, mean, model: "tag" } };
    },
  };
}

function embedded(html: string): { plots: PlotData[] } {
  const m = /<script type="application\/json" id="lam-plot-data">([\s\S]*?)<\/script>/.exec(html);
  if (!m) throw new Error("no embedded plot data");
  return JSON.parse(m[1]) as { plots: PlotData[] };
}

describe("closed-loop report: predictions k ticks ahead", () => {
  it("records, per tick, the value predicted for 10 and 20 ticks later, and the page plots the one made k ticks before", () => {
    const run = runScenario(sc, taggingDriver(), { seed: 1 });
    const channels = [...run.actions].sort();
    // Tick n's prediction: step s is n + 1 + s ticks on, so k ticks on is step k − 1.
    run.ticks.forEach((r, n) => {
      expect(Object.keys(r.prediction!.ahead!)).toEqual(["10", "20"]);
      channels.forEach((ch, c) => {
        expect(r.prediction!.ahead!["10"][ch]).toBe(n * 1000 + 90 + c);
        expect(r.prediction!.ahead!["20"][ch]).toBe(n * 1000 + 190 + c);
        expect(r.prediction!.first[ch]).toBe(n * 1000 + c);
      });
    });
    const { plots } = embedded(renderHtml([run]));
    for (const [c, ch] of channels.entries()) {
      const plot = plots.find((p) => p.id === `s0-a-${ch}`)!;
      for (const [k, label] of [[10, "0.5"], [20, "1"]] as const) {
        const series = plot.series.find((s) => s.name === `predicted ${label} s before`);
        expect(series, `${ch} ${label} s`).toBeDefined();
        expect(series!.y).toEqual(aheadSeries(run.ticks, ch, k, RATE));
        // At tick n: what tick n − k predicted for it.
        series!.y.forEach((v, n) => expect(v).toBe(n < k ? null : (n - k) * 1000 + (k - 1) * 10 + c));
      }
    }
  });

  it("a model stepping at half the tick rate (held between its steps): the lead's nearest step within half a model step", () => {
    const mean = Float32Array.from({ length: 10 }, (_, s) => s); // one channel, 10 steps of 0.05 s
    const seq = (t0: number) => ({ t0, dt: 0.05, channels: ["steer_cmd"], mean, model: "m" });
    // At 40 Hz, 0.5 s is 20 ticks. Made one model step ago (first step 1 tick on): step 9 is 19 ticks on, the nearest.
    expect(predictionAhead(seq(10.025), 10, 40)).toEqual({ 20: { steer_cmd: 9 } });
    // Made now (first step 2 ticks on): step 9 is exactly 20 ticks on.
    expect(predictionAhead(seq(10.05), 10, 40)).toEqual({ 20: { steer_cmd: 9 } });
    // First step at the tick itself: the last step is 18 ticks on, more than half a model step short of 20.
    expect(predictionAhead(seq(10), 10, 40)).toBeUndefined();
    // At the model's own rate, steps are ticks: 0.5 s is step 9 (10 ticks on).
    expect(predictionAhead(seq(10.05), 10, 20)).toEqual({ 10: { steer_cmd: 9 } });
  });

  it("lam sim with the bundled model writes runs and a page that carry the 0.5 s series (40 Hz ticks, a 20 Hz model held between steps)", async () => {
    const out = await mkdtemp(join(tmpdir(), "lam-sim-ahead-"));
    const err: string[] = [];
    const code = await main(["sim", "robot-track", "--out", out], { stdout: { write: () => true }, stderr: { write: (s: string) => (err.push(s), true) } });
    expect(code, err.join("")).toBe(0);
    const [run] = decodeRuns(await readFile(join(out, "runs.json"), "utf8"), "runs.json");
    const predicted = run.ticks.filter((t) => t.prediction !== null);
    expect(predicted.length).toBeGreaterThan(run.ticks.length / 2);
    const leads = Object.keys(predicted[predicted.length - 1].prediction!.ahead ?? {});
    expect(leads).toEqual(["20"]);
    const { plots } = embedded(await readFile(join(out, "report.html"), "utf8"));
    for (const ch of run.actions) {
      const names = plots.find((p) => p.id === `s0-a-${ch}`)!.series.map((s) => s.name);
      for (const k of leads) expect(names).toContain(`predicted ${Number(((Number(k) / run.rate)).toFixed(3))} s before`);
      // robot-track: 40 Hz ticks, the robot model predicts 0.5 s at 20 Hz, held between its steps; every tick
      // from 0.5 s on has a value once the model predicts, the one its prediction 20 ticks before gave.
      const y = plots.find((p) => p.id === `s0-a-${ch}`)!.series.find((s) => s.name === "predicted 0.5 s before")!.y;
      expect(y).toEqual(aheadSeries(run.ticks, ch, 20, run.rate).map((v) => (v === null ? null : Number(v.toPrecision(6)))));
      expect(y.filter((v) => v !== null).length).toBeGreaterThan(0.9 * predicted.length - 20);
    }
  }, 120_000);
});
