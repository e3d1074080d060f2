import { mkdtempSync, readFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { beforeAll, describe, expect, it } from "vitest";
import { main } from "../../runtime/main.js";
import { cartesian, parseParamSet, parseSweeps } from "../../runtime/tune/params.js";
import { scoreParts, scoreSet, compareScores, type ScoringScenario } from "../../sim/tune/score.js";
import { DEFAULT_CRITERIA, withoutTiming, type ScenarioMetrics, type ScenarioResult } from "../../sim/index.js";
import { CATALOG_DIR } from "../../scenarios/index.js";
import { robotModelDir } from "./sim-fixture.js";

async function lam(...argv: string[]) {
  const out: string[] = [];
  const err: string[] = [];
  const code = await main(argv, { stdout: { write: (s: string) => out.push(s) }, stderr: { write: (s: string) => err.push(s) } });
  return { code, out: out.join(""), err: err.join("") };
}

interface Ranked {
  rank: number;
  index: number;
  baseline: boolean;
  params: Record<string, unknown>;
  passed: number;
  collisions: number;
  score: number;
  gained: string[];
  lost: string[];
  deltas: Record<string, number | null>;
}
interface TuneJson {
  sets: number;
  scenarios: string[];
  baseline: Ranked;
  ranking: Ranked[];
  scoring: { formula: string };
}

const SCENARIOS = [join(CATALOG_DIR, "robot-track.yaml"), join(CATALOG_DIR, "robot-follow.yaml")];
let model: string;
beforeAll(async () => {
  model = await robotModelDir();
});

describe("lam tune", () => {
  it("2 scenarios × 4 sets: 2 worker threads give the same ranking, bytes and all, as one thread", async () => {
    const args = ["tune", ...SCENARIOS, "--model", model, "--param", "policy.blend=0,1", "--param", "policy.lookahead=0,0.05", "--json"];
    const out = mkdtempSync(join(tmpdir(), "lam-tune-"));
    const one = await lam(...args, "--workers", "1");
    const two = await lam(...args, "--workers", "2", "--out", out);
    expect(one.code, one.err).toBe(0);
    expect(two.code, two.err).toBe(0);
    expect(JSON.stringify(withoutTiming(JSON.parse(two.out)))).toBe(JSON.stringify(withoutTiming(JSON.parse(one.out))));

    const j = JSON.parse(two.out) as TuneJson;
    expect(j.sets).toBe(4);
    expect(j.scenarios).toEqual(["robot-track", "robot-follow"]);
    expect(j.ranking).toHaveLength(5); // four sets and the baseline
    expect(j.ranking.map((r) => r.rank)).toEqual([1, 2, 3, 4, 5]);
    // The untrained model alone fails both; the reference blended in fully passes both: those sets rank first.
    const top = j.ranking.slice(0, 2);
    for (const r of top) {
      expect(r.params["policy.blend"]).toBe(1);
      expect(r.passed).toBe(2);
      expect(r.gained).toEqual(["robot-track", "robot-follow"]);
      expect(r.deltas.collisions).toBeLessThan(0);
    }
    expect(j.baseline.passed).toBe(0);
    expect(j.baseline.deltas.progress).toBe(0);
    for (const r of j.ranking.slice(2)) expect(r.passed).toBe(0);
    expect(j.scoring.formula).toContain("0.3·safety");

    const html = readFileSync(join(out, "tune.html"), "utf8");
    expect(html).toContain("policy.blend");
    expect(html).toContain("<svg");
    expect((JSON.parse(readFileSync(join(out, "tune.json"), "utf8")) as TuneJson).ranking).toHaveLength(5);
  });

  it("an unknown --param key is a usage error naming it, before any set runs", async () => {
    const r = await lam("tune", SCENARIOS[0], "--model", model, "--param", "policy.blend=0,1", "--param", "policy.maxSped=3,4");
    expect(r.code).toBe(2);
    expect(r.err).toContain("policy.maxSped: unknown parameter key");
    expect(r.err).toContain("policy.maxSpeed");
    expect(r.err).not.toContain("[1/");
  });

  it("a value out of range is a usage error naming key and value", async () => {
    const r = await lam("tune", SCENARIOS[0], "--model", model, "--param", "policy.blend=0,2");
    expect(r.code).toBe(2);
    expect(r.err).toContain("policy.blend = 2: must be <= 1");
  });
});

describe("--param parsing", () => {
  it("sweeps: numbers, text, bracketed arrays; the first key varies slowest", () => {
    const sw = parseSweeps(["policy.blend=0,0.5", "policy.fallback.action=hold,stop", "policy.latAccLim=[5,5,4,3],[4,4,3,2]"]);
    expect(sw[0].values).toEqual([0, 0.5]);
    expect(sw[1].values).toEqual(["hold", "stop"]);
    expect(sw[2].values).toEqual([[5, 5, 4, 3], [4, 4, 3, 2]]);
    const sets = cartesian(sw);
    expect(sets).toHaveLength(8);
    expect(sets[0]).toEqual({ "policy.blend": 0, "policy.fallback.action": "hold", "policy.latAccLim": [5, 5, 4, 3] });
    expect(sets[1]["policy.latAccLim"]).toEqual([4, 4, 3, 2]);
    expect(sets[7]).toEqual({ "policy.blend": 0.5, "policy.fallback.action": "stop", "policy.latAccLim": [4, 4, 3, 2] });
  });

  it("rejects malformed assignments, repeated keys and repeated values", () => {
    expect(() => parseSweeps(["policy.blend"])).toThrow(/expected key=value/);
    expect(() => parseSweeps(["policy.blend=0,1", "policy.blend=2"])).toThrow(/given twice/);
    expect(() => parseSweeps(["policy.blend=0.5,0.50"])).toThrow(/listed twice/);
    expect(() => parseSweeps(["policy.latAccLim=[1,2"])).toThrow(/unbalanced/);
    expect(() => parseSweeps(["policy.blend=0,,1"])).toThrow(/empty value/);
    expect(parseParamSet(["policy.blend=0.25"])).toEqual({ "policy.blend": 0.25 });
    expect(() => parseParamSet(["policy.blend=1", "policy.blend=0"])).toThrow(/given twice/);
  });
});

describe("tune score", () => {
  const sc: ScoringScenario = { name: "a", ticks: 100, criteria: { ...DEFAULT_CRITERIA, max_lane_deviation_m: 0.5 } };
  const metrics = (m: Partial<ScenarioMetrics>): ScenarioMetrics => ({
    collisions: 0, min_ttc_s: null, max_lat_accel: 0, max_lon_accel: 0, min_lon_accel: 0, max_lon_jerk: 0, max_yaw_rate: 0,
    max_lane_deviation_m: 0, progress: 1, fallback_share: 0, limit_events: 0, nonfinite_commands: 0, ade: null, fde: null, ...m,
  });
  const result = (m: Partial<ScenarioMetrics>, passed = true): ScenarioResult => ({ name: "a", passed, metrics: metrics(m), timing: { p50_tick_ms: null, p99_tick_ms: null, deadline_misses: null }, failed: [] });

  it("margins are normalised by the criteria and clamped; a collision makes safety −1", () => {
    const p = scoreParts(metrics({ max_lane_deviation_m: 0.25, min_ttc_s: 0.95 * 3, max_lat_accel: 4.89 * 2, limit_events: 10, fallback_share: 0.5, progress: 1.3 }), sc);
    expect(p.safety).toBeCloseTo((0.5 + 1) / 2, 9); // lane: (0.5 − 0.25)/0.5; TTC: (2.85 − 0.95)/0.95 clamped to 1
    expect(p.comfort).toBeCloseTo((-1 + 1 + 1 + 1 + 1) / 5, 9); // lat accel twice its limit: margin −1
    expect(p.progress).toBe(1);
    expect(p.fallback).toBe(0.5);
    expect(p.limits).toBe(0.1);
    expect(scoreParts(metrics({ collisions: 1, max_lane_deviation_m: 0 }), sc).safety).toBe(-1);
  });

  it("ranks passes before score, and stopping short scores below driving the course", () => {
    const stopped = scoreSet([result({ progress: 0.05 }, false)], [sc]);
    const driving = scoreSet([result({ progress: 1, max_lane_deviation_m: 0.3, max_lon_jerk: 3 })], [sc]);
    expect(driving.score).toBeGreaterThan(stopped.score);
    const failingButSmooth = { ...scoreSet([result({}, false)], [sc]), index: 1 };
    const passingRough = { ...scoreSet([result({ max_lon_jerk: 4, max_lane_deviation_m: 0.45 })], [sc]), index: 2 };
    expect(failingButSmooth.score).toBeGreaterThan(passingRough.score);
    expect([failingButSmooth, passingRough].sort(compareScores)[0].index).toBe(2);
  });
});
