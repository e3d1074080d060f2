// Merge and runs.json on in-memory runs: the recomputed summary equals sim's buildReport summary, lam sim's extra
// keys merge (lists joined, timing summed, disagreement refused), and run records survive the columnar file.
import { describe, expect, it } from "vitest";
import { holdLast } from "../../dynamics/baselines/hold-last.js";
import { frameChannel } from "../../perception/channels.js";
import { Validity, type Drive, type Frame } from "../../perception/types.js";
import { policyPreset } from "../../policy/presets.js";
import { buildReport } from "../../sim/report/json.js";
import { mergeReports, parseReport } from "../../sim/replay/merge.js";
import { buildReplayReport, replayHtml, summarise } from "../../sim/replay/report.js";
import { decodeRuns, encodeRuns } from "../../sim/replay/runs.js";
import { REPLAY_CRITERIA, replayFrameSpec, replayFrames, type ReplayOutcome } from "../../sim/replay/engine.js";
import type { ScenarioRun } from "../../sim/run.js";

const SPEC = replayFrameSpec({ rate: 20, channels: ["speed", "speed_cmd", "steer_cmd"].map((c) => frameChannel(c)) });
const NAMES = SPEC.channels.map((c) => c.name);
const ACTIONS = ["speed_cmd", "steer_cmd"];

function outcome(name: string, n: number, phase: number, heldOut?: { t0: number; t1: number }[]): ReplayOutcome {
  const frames: Frame[] = [];
  for (let i = 0; i < n; i++) {
    const values = new Float32Array(NAMES.length).fill(NaN);
    const valid = new Uint8Array(NAMES.length);
    const set = (c: string, v: number) => ((values[NAMES.indexOf(c)] = v), (valid[NAMES.indexOf(c)] = Validity.Fresh));
    set("speed", 1 + 0.5 * Math.sin(i / 9 + phase));
    set("speed_cmd", 1 + 0.5 * Math.sin((i + 3) / 9 + phase));
    set("steer_cmd", 0.1 * Math.sin(i / 13 + phase));
    set("accel", 0.3 * Math.cos(i / 9 + phase));
    frames.push({ t: 100 + i / 20, values, valid });
  }
  const drive: Drive = { name, path: `/data/${name}`, format: "csv", channels: [], rejected: {}, issues: [] };
  const base = () => holdLast({ frameChannels: NAMES, actions: ACTIONS, rate: 20, horizon: 8 });
  return replayFrames(drive, frames, {}, { frameSpec: SPEC, predictor: base(), policy: policyPreset("robot-1-10"), actions: ACTIONS, baselines: [base()], name, heldOut });
}

/** Fails the comfort criterion max_lon_accel (its metric is > 0 on these drives). */
const failing = (o: ReplayOutcome): ReplayOutcome => ({ ...o, run: { ...o.run, criteria: { ...REPLAY_CRITERIA, max_lon_accel: 0 } } });

describe("merging shard reports", () => {
  const outcomes = [failing(outcome("c", 120, 0.3, [{ t0: 101, t1: 104 }])), outcome("a", 200, 0, [{ t0: 100, t1: 103 }, { t0: 105, t1: 109 }]), failing(outcome("b", 150, 1.1))];

  it("summarise() of plain sim results adds no replay pool and counts the failures", () => {
    const runs = outcomes.map((o) => o.run);
    const ref = buildReport(runs);
    expect(ref.summary.failed).toBe(2);
    expect(summarise(ref.scenarios)).toEqual(ref.summary);
    expect(ref.summary.failed_scenarios).toEqual(["c", "b"]);
  });

  it("shards merge into the unsharded report, in any order; replay figures pooled by scored ticks", () => {
    const whole = buildReplayReport(outcomes.map((o) => ({ outcome: o }))).report;
    const parts = [[outcomes[2]], [outcomes[0], outcomes[1]]].map((g) => buildReplayReport(g.map((o) => ({ outcome: o }))).report);
    const text = parts.map((p, i) => ({ source: `shard${i}/report.json`, text: JSON.stringify(p) }));
    const merged = mergeReports(text.map(parseReport), text.map((t) => t.source)).report;
    expect(JSON.stringify(merged)).toBe(JSON.stringify(whole));
    expect(merged.scenarios.map((s) => s.name)).toEqual(["a", "b", "c"]);
    expect(merged.summary.failed_scenarios).toEqual(["b", "c"]);
    const pooled = merged.summary.replay!;
    const ticks = merged.scenarios.reduce((a, s) => a + s.replay!.model.ticks, 0);
    expect(pooled.model.ticks).toBe(ticks);
    const mean = merged.scenarios.reduce((a, s) => a + s.replay!.model.ade! * s.replay!.model.ticks, 0) / ticks;
    expect(pooled.model.ade).toBeCloseTo(mean, 5);
    // Held-out figures pool over the drives that have them only.
    expect(pooled.held_out!.drives).toBe(2);
    expect(pooled.held_out!.model.ticks).toBe(merged.scenarios.reduce((a, s) => a + (s.replay!.held_out?.model.ticks ?? 0), 0));
    expect(pooled.held_out!.model.ticks).toBeGreaterThan(0);
  });

  it("a scenario in two shards is an error naming it and both files", () => {
    const r = buildReplayReport([{ outcome: outcomes[1] }]).report;
    expect(() => mergeReports([r, r], ["x/report.json", "y/report.json"])).toThrow('scenario "a" appears more than once (in x/report.json and in y/report.json)');
  });

  it("lam sim's extra keys: lists joined, timing summed, shard dropped, disagreement refused", () => {
    const sim = (names: string[], extra: Record<string, unknown>) => {
      const rep = buildReport(names.map((n) => outcome(n, 60, 0).run));
      return { ...rep, summary: { ...rep.summary, skipped: [{ name: `${names[0]}-skipped`, reason: "x" }] }, driver: "model", seed: 1, shard: "1/2", timing: { wall_s: 1.5, sim_s: 3 }, ...extra };
    };
    const m = mergeReports([sim(["q"], {}), sim(["p"], { shard: "2/2" })] as never).report as unknown as Record<string, unknown> & { summary: Record<string, unknown> };
    expect(m.shard).toBeNull();
    expect(m.timing).toEqual({ wall_s: 3, sim_s: 6 });
    expect(m.driver).toBe("model");
    expect(m.summary.skipped).toEqual([
      { name: "p-skipped", reason: "x" },
      { name: "q-skipped", reason: "x" },
    ]);
    expect(() => mergeReports([sim(["q"], {}), sim(["p"], { seed: 2 })] as never, ["s1/report.json", "s2/report.json"])).toThrow(
      "the reports disagree on seed: 1 in s1/report.json, 2 in s2/report.json",
    );
  });

  it("parseReport names the file and the scenario that is malformed", () => {
    expect(() => parseReport({ source: "r.json", text: "{" })).toThrow(/^r.json: not JSON/);
    expect(() => parseReport({ source: "r.json", text: "{}" })).toThrow('r.json: no "scenarios" list');
    expect(() => parseReport({ source: "r.json", text: '{"scenarios":[{"name":"a","passed":"yes"}]}' })).toThrow('r.json: scenarios[0] ("a"): passed="yes"');
    expect(() => parseReport({ source: "r.json", text: '{"scenarios":[{"name":""}]}' })).toThrow('r.json: scenarios[0]: name=""');
  });
});

describe("runs.json", () => {
  const runs: ScenarioRun[] = [outcome("a", 90, 0).run, outcome("b", 0, 0).run];

  it("round-trips the run records (columnar), and also reads lam sim's plain list", () => {
    const text = encodeRuns(runs);
    const plain = JSON.parse(JSON.stringify(runs));
    expect(decodeRuns(text, "runs.json")).toEqual(plain);
    expect(decodeRuns(JSON.stringify(runs), "runs.json")).toEqual(plain);
    // Field names once per run, not once per tick.
    expect(text.length).toBeLessThan(JSON.stringify(runs).length * 0.75);
  });

  it("the HTML renders from decoded records as from the originals", () => {
    const { report, runs: sorted } = buildReplayReport([{ outcome: outcome("a", 90, 0) }]);
    expect(replayHtml(decodeRuns(encodeRuns(sorted), "runs.json"), report)).toBe(replayHtml(sorted, report));
    expect(() => replayHtml([], report)).toThrow(/do not match the report's scenarios \[a\]/);
  });

  it("a damaged file is an error naming the file, run and column", () => {
    const doc = JSON.parse(encodeRuns(runs));
    doc.runs[0].ticks.columns.speed.pop();
    expect(() => decodeRuns(JSON.stringify(doc), "s1/runs.json")).toThrow('s1/runs.json: runs[0] ("a"): ticks column speed has 89 values, n=90');
    expect(() => decodeRuns('{"format":"other"}', "r")).toThrow('r: format="other", expected "lam.runs"');
    expect(() => decodeRuns('{"format":"lam.runs","version":9,"runs":[]}', "r")).toThrow("version=9");
    expect(() => decodeRuns('[{"name":"x","ticks":3}]', "r")).toThrow('r: [0] ("x"): ticks is not a list');
  });
});
