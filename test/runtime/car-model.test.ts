// The bundled car model (dynamics/models/car, scripts/train-car.sh) and how `lam sim` picks it: trained on the
// real comma2k19 RAV4 minute, it predicts the car's [steer_cmd, accel_cmd] from channels the simulator produces.
import { copyFile, mkdtemp, readFile, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { loadDrive } from "../../bridges/index.js";
import { loadModel, ModelLoadError, sha256 } from "../../dynamics/save.js";
import { framesFromDrive } from "../../perception/frames-from-drive.js";
import type { Drive } from "../../perception/types.js";
import { CATALOG_DIR, loadCatalog } from "../../scenarios/index.js";
import { decodeRuns } from "../../sim/replay/runs.js";
import { main } from "../../runtime/main.js";
import { openModel, type RuntimeModel } from "../../runtime/model.js";
import { carModelDir, defaultModelDir, dirStore } from "../../runtime/model-dir.js";
import { incompatibility, modelFor, planScenarios, vehiclePresetName } from "../../runtime/sim-run.js";
import { drivingModelDir, openBundledModels } from "../../runtime/sim-run.js";
import { policyPreset } from "../../policy/index.js";

const DATA = resolve(import.meta.dirname, "../../../shared/data");
const COMMA = join(DATA, "comma2k19-rav4");
const LANE_KEEP = join(CATALOG_DIR, "lane-keep-straight.yaml");
const ROBOT_TRACK = join(CATALOG_DIR, "robot-track.yaml");
const catalog = loadCatalog(CATALOG_DIR);
const cars = catalog.filter((s) => s.vehicle.model === "car");
const robots = catalog.filter((s) => s.vehicle.model === "robot");

async function lam(...argv: string[]) {
  const out: string[] = [];
  const err: string[] = [];
  const code = await main(argv, { stdout: { write: (s: string) => out.push(s) }, stderr: { write: (s: string) => err.push(s) } });
  return { code, out: out.join(""), err: err.join("") };
}

const channel = (d: Drive, name: string) => {
  const c = d.channels.find((x) => x.name === name);
  if (!c) throw new Error(`${d.name} has no ${name}`);
  return c;
};

let drive: Drive;
let car: RuntimeModel;
beforeAll(async () => {
  drive = await loadDrive(COMMA);
  car = await openModel(carModelDir());
});
afterAll(() => car?.model.dispose());

describe("comma2k19 map: the person's steering is the car's steer_cmd", () => {
  it("steer_cmd is the measured road-wheel angle, sample for sample", () => {
    const steer = channel(drive, "steer");
    const cmd = channel(drive, "steer_cmd");
    expect(cmd.t.length).toBeGreaterThan(4900); // 60 s at 83 Hz
    expect(Array.from(cmd.t)).toEqual(Array.from(steer.t));
    expect(Array.from(cmd.values)).toEqual(Array.from(steer.values));
    expect(cmd.unit).toBe("rad");
    // A road-wheel angle, not the steering-wheel angle (÷ 16.88): highway steering stays within ±0.05 rad.
    expect(Math.max(...cmd.values.map(Math.abs))).toBeLessThan(0.05);
    expect(Math.max(...cmd.values.map(Math.abs))).toBeGreaterThan(0);
  });
});

describe("the bundled car model", () => {
  it("loads with its sha256 checked and a corrupted weights.bin refused, naming the file", async () => {
    const dir = carModelDir();
    const { model, meta } = await loadModel(dirStore(dir));
    model.dispose();
    expect(sha256(new Uint8Array(await readFile(join(dir, "weights.bin"))))).toBe(meta.weightsSha256);
    const bad = await mkdtemp(join(tmpdir(), "lam-car-model-"));
    for (const f of ["model.json", "lam.json"]) await copyFile(join(dir, f), join(bad, f));
    const w = new Uint8Array(await readFile(join(dir, "weights.bin")));
    w[100] ^= 0x40;
    await writeFile(join(bad, "weights.bin"), w);
    const err = await loadModel(dirStore(bad)).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(ModelLoadError);
    expect((err as ModelLoadError).file).toMatch(/weights\.bin$/);
    expect((err as Error).message).toMatch(/sha256/);
  });

  it("is the comma2k19 model: car actions from simulated channels, scored on a test block it never trained on", () => {
    const { spec, training, metrics } = car.meta;
    expect(spec.actions).toEqual(["steer_cmd", "accel_cmd"]);
    expect(spec.features).toEqual(["speed", "yaw_rate", "accel", "lat_accel", "steer_cmd", "accel_cmd"]);
    expect(training!.drives).toEqual(["comma2k19-rav4"]);
    const test = training!.split.filter((b) => b.role === "test");
    const train = training!.split.filter((b) => b.role === "train");
    expect(test.length).toBeGreaterThan(0);
    for (const a of test) for (const b of train) expect(a.t1 < b.t0 || b.t1 < a.t0, `test ${a.t0}-${a.t1} overlaps train ${b.t0}-${b.t1}`).toBe(true);
    expect(metrics!.data).toEqual({ "comma2k19-rav4": "test_blocks" });
    expect(metrics!.windows).toBeGreaterThan(50);
    // lam.json says in words whether the model beats the best baseline, and the words match the ratio.
    const note = (metrics as unknown as { note: string }).note;
    expect(note).toMatch(metrics!.ratio_to_best_baseline < 1 ? /^beats/ : /does NOT beat/);
    for (const sc of cars) expect(incompatibility(sc, policyPreset(vehiclePresetName(sc)), spec)).toBeNull();
  });

  it("predicts finite [steer_cmd, accel_cmd] sequences with a positive spread on the real drive", () => {
    const { frames } = framesFromDrive(drive, car.frameSpec);
    const p = car.predictor();
    let bad = 0;
    for (const f of frames) {
      const a = p.step(f);
      expect(a.channels).toEqual(["steer_cmd", "accel_cmd"]);
      expect(a.mean.length).toBe(car.meta.spec.horizon * 2);
      for (let i = 0; i < a.mean.length; i++) if (!Number.isFinite(a.mean[i]) || !(a.std![i] > 0)) bad++;
    }
    expect(frames.length).toBeGreaterThan(1150);
    expect(bad).toBe(0);
  });
});

describe("lam sim picks the bundled model by the scenario's vehicle", () => {
  // The scene-aware driving models come first (runtime/sim-run.ts simModelDirs): car-drive for the car, robot-drive for the robot.
  const carDrive = drivingModelDir("car");
  const robotDrive = drivingModelDir("robot");
  it("opens each bundled model once, and only when a scenario needs it", async () => {
    const robotOnly = await openBundledModels(robots);
    expect(robotOnly.map((m) => m.dir)).toEqual([robotDrive]);
    const both = await openBundledModels([...cars, ...robots, ...cars]);
    expect(both.map((m) => m.dir)).toEqual([robotDrive, carDrive]);
    const setup = { driver: "model" as const, model: null, models: both, policy: null, overrides: {} };
    for (const sc of catalog) expect(modelFor(sc, setup)!.dir).toBe(sc.vehicle.model === "car" ? carDrive : robotDrive);
    expect(planScenarios(catalog, setup).filter((p) => p.incompatible !== null)).toEqual([]);
    for (const m of [...robotOnly, ...both]) m.model.dispose();
  });

  it("a car catalog scenario without --model runs with the car model driving, through main --json", async () => {
    const out = await mkdtemp(join(tmpdir(), "lam-sim-car-"));
    const r = await lam("sim", LANE_KEEP, "--json", "--out", out);
    expect(r.code, r.err).toBe(0);
    const j = JSON.parse(r.out);
    expect(j.driver).toBe("model");
    expect(j.summary.skipped).toEqual([]);
    expect(j.model.dir).toBe(carDrive);
    expect(j.model.actions).toEqual(["steer_cmd", "accel_cmd"]);
    const [s] = j.scenarios;
    expect(s.name).toBe("lane-keep-straight");
    expect(s.policy).toBe("passenger-car");
    expect(s.model).toBe(JSON.parse(await readFile(join(carDrive, "lam.json"), "utf8")).weightsSha256);
    expect(s.metrics.ade).not.toBeNull(); // the model's predictions were scored: it drove
    expect(s.metrics.nonfinite_commands).toBe(0);
    const [run] = decodeRuns(await readFile(join(out, "runs.json"), "utf8"), "runs.json");
    expect(run.ticks.length).toBe(25 * 20);
    expect(run.ticks.every((t) => t.prediction !== null)).toBe(true);
    for (const t of run.ticks) for (const ch of ["steer_cmd", "accel_cmd"]) expect(Number.isFinite(t.command[ch])).toBe(true);
  });

  it("a car and a robot scenario in one run: each driven by its own bundled model, both listed", async () => {
    const r = await lam("sim", LANE_KEEP, ROBOT_TRACK, "--json");
    expect(r.code, r.err).toBe(0);
    const j = JSON.parse(r.out);
    expect(j.summary.skipped).toEqual([]);
    expect(j.model).toBeNull(); // no single model drove every scenario
    expect(j.models.map((m: { dir: string; scenarios: string[] }) => [m.dir, m.scenarios])).toEqual([
      [carDrive, ["lane-keep-straight"]],
      [robotDrive, ["robot-track"]],
    ]);
    const sha = Object.fromEntries(j.models.map((m: { dir: string; sha256: string }) => [m.dir, m.sha256]));
    expect(j.scenarios.map((s: { model: string }) => s.model)).toEqual([sha[carDrive], sha[robotDrive]]);
  });
});
