import { existsSync, mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { beforeAll, describe, expect, it } from "vitest";
import { main } from "../../runtime/main.js";
import { withoutTiming } from "../../sim/index.js";
import { decodeRuns } from "../../sim/replay/runs.js";
import { CATALOG_DIR } from "../../scenarios/index.js";
import { robotModelDir } from "./sim-fixture.js";

async function lam(...argv: string[]) {
  const out: string[] = [];
  const err: string[] = [];
  const code = await main(argv, { stdout: { write: (s: string) => out.push(s) }, stderr: { write: (s: string) => err.push(s) } });
  return { code, out: out.join(""), err: err.join("") };
}

const TRACK = join(CATALOG_DIR, "robot-track.yaml");
const FOLLOW = join(CATALOG_DIR, "robot-follow.yaml");
const DESIGN_METRICS = [
  "collisions", "min_ttc_s", "max_lat_accel", "max_lon_accel", "min_lon_accel", "max_lon_jerk", "max_yaw_rate",
  "max_lane_deviation_m", "progress", "fallback_share", "limit_events", "nonfinite_commands", "ade", "fde",
];

interface SimJson {
  scenarios: { name: string; passed: boolean; failed: string[]; policy: string | null; metrics: Record<string, number | null>; timing: Record<string, number | null> }[];
  summary: { scenarios: number; passed: number; failed: number; pass_rate: number; skipped: { name: string; reason: string }[] };
  driver: string;
  model: { sha256: string; actions: string[] } | null;
  shard: string | null;
}

let model: string;
beforeAll(async () => {
  model = await robotModelDir();
});

describe("lam sim through main", () => {
  it("runs a catalog scenario through the runtime pipeline: the --json contract and every DESIGN metric", async () => {
    const r = await lam("sim", TRACK, "--model", model, "--json");
    expect(r.code, r.err).toBe(0);
    const j = JSON.parse(r.out) as SimJson;
    expect(j.scenarios).toHaveLength(1);
    const s = j.scenarios[0];
    expect(s.name).toBe("robot-track");
    expect(typeof s.passed).toBe("boolean");
    expect(Object.keys(s.metrics).sort()).toEqual([...DESIGN_METRICS].sort());
    expect(Object.keys(s.timing).sort()).toEqual(["deadline_misses", "p50_tick_ms", "p99_tick_ms"]);
    expect(s.timing.p50_tick_ms).toBeGreaterThan(0);
    expect(Object.keys(j.summary)).toEqual(expect.arrayContaining(["scenarios", "passed", "failed", "pass_rate", "failed_scenarios", "collisions", "timing", "skipped"]));
    expect(j.summary.scenarios).toBe(1);
    // The model drove: its predictions were scored, by the robot's preset.
    expect(j.driver).toBe("model");
    expect(s.policy).toBe("robot-1-10");
    expect(s.metrics.ade).not.toBeNull();
    expect(j.model!.actions).toEqual(["speed_cmd", "steer_cmd"]);
  });

  it("is deterministic: two runs give the same JSON once timing is removed, and --out writes the same report", async () => {
    const out = mkdtempSync(join(tmpdir(), "lam-sim-out-"));
    const a = await lam("sim", TRACK, FOLLOW, "--model", model, "--json", "--seed", "7");
    const b = await lam("sim", TRACK, FOLLOW, "--model", model, "--json", "--seed", "7", "--out", out);
    expect(a.code, a.err).toBe(0);
    expect(b.code, b.err).toBe(0);
    const strip = (s: string) => JSON.stringify(withoutTiming(JSON.parse(s)));
    expect(strip(b.out)).toBe(strip(a.out));
    expect(JSON.parse(a.out)).not.toEqual(JSON.parse(b.out)); // timing is measured, so the raw JSON differs
    expect(strip(readFileSync(join(out, "report.json"), "utf8"))).toBe(strip(a.out));
    const html = readFileSync(join(out, "report.html"), "utf8");
    expect(html).toContain("robot-track");
    expect(html).toContain("<svg");
    const runs = decodeRuns(readFileSync(join(out, "runs.json"), "utf8"), "runs.json");
    expect(runs.map((r) => r.name)).toEqual(["robot-track", "robot-follow"]);
    expect(runs[0].ticks).toHaveLength(16 * 40);
  });

  it("the policy acts on the model's prediction: blend=1 (the reference through the policy) passes where the untrained model fails", async () => {
    const hold = JSON.parse((await lam("sim", TRACK, FOLLOW, "--model", model, "--json")).out) as SimJson;
    const ref = JSON.parse((await lam("sim", TRACK, FOLLOW, "--model", model, "--json", "--param", "policy.blend=1")).out) as SimJson;
    expect(hold.summary.passed).toBe(0);
    expect(hold.scenarios.find((s) => s.name === "robot-track")!.failed).toContain("max_lane_deviation_m");
    expect(ref.summary.passed).toBe(2);
  });

  it("exits 0 when scenarios fail, and the report names the failed criteria", async () => {
    const r = await lam("sim", FOLLOW, "--model", model, "--json");
    expect(r.code, r.err).toBe(0);
    const j = JSON.parse(r.out) as SimJson;
    expect(j.scenarios[0].passed).toBe(false);
    expect(j.scenarios[0].failed).toContain("collisions");
  });

  it("a bad scenario file is exit 1 with an error naming the file, line and field", async () => {
    const dir = mkdtempSync(join(tmpdir(), "lam-sim-bad-"));
    const file = join(dir, "bad.yaml");
    writeFileSync(file, readFileSync(TRACK, "utf8").replace("ego: { lane: 0, speed: 1.5 }", "ego: { lane: 0, speed: fast }"));
    const r = await lam("sim", file, "--model", model, "--json");
    expect(r.code).toBe(1);
    expect(r.out).toBe("");
    expect(r.err).toMatch(/bad\.yaml:\d+:\d+ ego\.speed: expected number, got "fast"/);
  });

  it("a scenario the model cannot drive is an error naming both sides' channels, unless --skip-incompatible", async () => {
    const car = join(CATALOG_DIR, "lane-keep-straight.yaml");
    const r = await lam("sim", car, TRACK, "--model", model, "--json");
    expect(r.code).toBe(1);
    expect(r.err).toContain("lane-keep-straight: the model predicts [speed_cmd, steer_cmd], not [accel_cmd]");
    const s = await lam("sim", car, TRACK, "--model", model, "--json", "--skip-incompatible");
    expect(s.code, s.err).toBe(0);
    const j = JSON.parse(s.out) as SimJson;
    expect(j.scenarios.map((x) => x.name)).toEqual(["robot-track"]);
    expect(j.summary.skipped.map((x) => x.name)).toEqual(["lane-keep-straight"]);
    // A policy for the wrong vehicle is named too.
    const p = await lam("sim", TRACK, "--model", model, "--policy", "passenger-car");
    expect(p.code).toBe(1);
    expect(p.err).toContain('policy "passenger-car" commands [steer_cmd, accel_cmd] but the robot takes [steer_cmd, speed_cmd]');
  });

  it("an unknown --param key is a usage error naming it and listing the known keys", async () => {
    const r = await lam("sim", TRACK, "--model", model, "--param", "policy.blnd=1");
    expect(r.code).toBe(2);
    expect(r.err).toContain("policy.blnd: unknown parameter key");
    expect(r.err).toContain("policy.blend");
  });

  it("--shard K/N runs every scenario in exactly one shard", async () => {
    const one = JSON.parse((await lam("sim", "catalog", "--driver", "reference", "--json", "--shard", "1/2")).out) as SimJson;
    const two = JSON.parse((await lam("sim", "catalog", "--driver", "reference", "--json", "--shard", "2/2")).out) as SimJson;
    const all = JSON.parse((await lam("sim", "catalog", "--driver", "reference", "--json")).out) as SimJson;
    expect(one.shard).toBe("1/2");
    expect([...one.scenarios, ...two.scenarios].map((s) => s.name).sort()).toEqual(all.scenarios.map((s) => s.name).sort());
    expect(one.scenarios.length).toBe(Math.ceil(all.scenarios.length / 2));
    // The reference driver is the baseline: the whole catalog passes with it.
    expect(all.summary.passed).toBe(all.summary.scenarios);
    expect(all.model).toBeNull();
  });

  it("rejects bad flags as usage errors", async () => {
    expect((await lam("sim", TRACK, "--driver", "magic")).code).toBe(2);
    expect((await lam("sim", TRACK, "--shard", "3/2")).code).toBe(2);
    expect((await lam("sim", TRACK, "--seed", "-1")).code).toBe(2);
    expect((await lam("sim", TRACK, "--driver", "reference", "--param", "policy.blend=1")).code).toBe(2);
    expect((await lam("sim", "no-such-dir")).code).toBe(2);
    expect(existsSync(TRACK)).toBe(true);
  });
});
