// Closed-loop simulation speed as a multiple of real time, one core: every catalog scenario driven by the
// runtime pipeline (PipelineDriver: perception → FastPredictor → policy) and by the reference controller, in the
// same process, so the ratio between the two is the cost of the runtime inside the loop. Target: ≥ 200× real time.
//
// The model driver uses the given (default: bundled) model where its channels fit the scenario's vehicle. Where
// they do not (the F1TENTH model cannot drive the accel_cmd car), it uses a stand-in of the same shape (rate,
// history, horizon, layers, units) with untrained weights on that vehicle's channels, marked `stand_in`: the
// predictor's cost does not depend on the weights' values.
// Models and drivers come in a ClosedLoopKit from runtime/ (which loads bench/: no import runs back up to it).
// Run: lam bench --only closed-loop [--model DIR] [--json] [--no-pin]. Never passes or fails on time.
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { performance } from "node:perf_hooks";
import { CATALOG_DIR, loadCatalog, type Scenario } from "../scenarios/index.js";
import { runScenario, type Driver } from "../sim/index.js";
import { buildModel, saveModel, type ModelSpec } from "../dynamics/index.js";
import type { ModelStore } from "../dynamics/save.js";

/**
 * What the bench needs of runtime/: opened models and drivers built as `lam sim` builds them. M is runtime's
 * opened model, opaque here.
 */
export interface ClosedLoopKit<M> {
  /** The given model, or the bundled ones (those that opened); the bench disposes of them. */
  readonly models: readonly M[];
  readonly spec: (m: M) => ModelSpec;
  /** Null where model m can drive the scenario's vehicle under its preset policy, else why not. */
  readonly incompatibility: (sc: Scenario, m: M) => string | null;
  /** A model folder on disk, where the bench writes its untrained stand-ins. */
  readonly store: (dir: string) => ModelStore;
  readonly open: (dir: string) => Promise<M>;
  /** A fresh driver under the scenario's preset policy: the pipeline on model m, or the reference controller (null). */
  readonly driver: (sc: Scenario, m: M | null) => Driver;
  readonly dispose: (m: M) => void;
}

export interface ClosedLoopRow {
  readonly scenario: string;
  readonly driver: "model" | "reference";
  /** The model driver ran an untrained stand-in of the model's shape (its channels do not fit this vehicle). */
  readonly stand_in: boolean;
  readonly sim_s: number;
  readonly ticks: number;
  /** Best of the repeats (ms). */
  readonly wall_ms: number;
  /** Simulated seconds per wall-clock second. */
  readonly x_realtime: number;
  readonly us_per_tick: number;
}

export interface ClosedLoopBenchOptions<M> {
  readonly kit: ClosedLoopKit<M>;
  readonly scenarios?: readonly Scenario[];
  readonly repeat?: number;
  readonly log?: (line: string) => void;
}

/** The shape `lam train` gives by default (32 units, 1 layer, 1.6 s history, 1 s horizon at 20 Hz). */
const DEFAULT_SHAPE = { rate: 20, history: 32, horizon: 20, layers: 1, units: 32 } as const;

/** The model's features and actions with its longitudinal action swapped for the vehicle's. */
function standInSpec(shape: Omit<ModelSpec, "features" | "actions">, base: ModelSpec | null, sc: Scenario): ModelSpec {
  const lon = sc.actions.find((a) => a !== "steer_cmd")!;
  const swap = (c: string) => (c === "speed_cmd" || c === "accel_cmd" ? lon : c);
  const features = base ? [...new Set(base.features.map(swap))] : ["speed", "yaw_rate", "accel", "lat_accel", ...sc.actions];
  return { ...shape, features, actions: [...sc.actions] };
}

async function standIn<M>(kit: ClosedLoopKit<M>, spec: ModelSpec, dir: string): Promise<M> {
  const m = buildModel(spec, { seed: 1 });
  const n = (xs: readonly string[], v: number) => xs.map(() => v);
  await saveModel(kit.store(dir), m, {
    spec,
    normalisation: { features: { channels: spec.features, mean: n(spec.features, 0), std: n(spec.features, 1) }, actions: { channels: spec.actions, mean: n(spec.actions, 0), std: n(spec.actions, 1) } },
    // Small scales keep the untrained spread inside the policy's maxStd, so the loop runs in model mode.
    head: { kind: "residual-hold", scale: n(spec.actions, 0.01), fallback: n(spec.actions, 0), eps: 1e-3 },
  });
  m.dispose();
  return kit.open(dir);
}

function timeRuns(makeDriver: () => Driver, sc: Scenario, repeat: number): { best: number; ticks: number } {
  runScenario(sc, makeDriver(), { seed: 1 }); // warm-up: JIT
  let best = Infinity;
  let ticks = 0;
  for (let r = 0; r < repeat; r++) {
    const driver = makeDriver();
    const t0 = performance.now();
    const run = runScenario(sc, driver, { seed: 1 });
    best = Math.min(best, performance.now() - t0);
    ticks = run.ticks.length;
  }
  return { best, ticks };
}

const r1 = (x: number) => Math.round(x * 10) / 10;

function row(scenario: string, driver: ClosedLoopRow["driver"], standInUsed: boolean, simS: number, ticks: number, ms: number): ClosedLoopRow {
  return { scenario, driver, stand_in: standInUsed, sim_s: simS, ticks, wall_ms: r1(ms * 10) / 10, x_realtime: r1(simS / (ms / 1000)), us_per_tick: Math.round((ms * 1000) / ticks) };
}

/** Rows per scenario and driver, then one "(all)" row per driver: total simulated time over total wall time. */
export async function benchClosedLoop<M>(opts: ClosedLoopBenchOptions<M>): Promise<ClosedLoopRow[]> {
  const { kit } = opts;
  const scenarios = opts.scenarios ?? loadCatalog(CATALOG_DIR);
  const repeat = opts.repeat ?? 3;
  const models = kit.models;
  const model = models[0] ?? null;
  const shape = model ? { ...kit.spec(model) } : DEFAULT_SHAPE;
  const tmp = await mkdtemp(join(tmpdir(), "lam-bench-cl-"));
  const standIns = new Map<string, M>();
  const rows: ClosedLoopRow[] = [];
  try {
    for (const sc of scenarios) {
      const fit = models.find((c) => kit.incompatibility(sc, c) === null);
      let m: M;
      if (fit !== undefined) m = fit;
      else {
        const spec = standInSpec(shape, model === null ? null : kit.spec(model), sc);
        const key = JSON.stringify(spec);
        if (!standIns.has(key)) standIns.set(key, await standIn(kit, spec, join(tmp, String(standIns.size))));
        m = standIns.get(key)!;
      }
      const fits = fit !== undefined;
      const withModel = timeRuns(() => kit.driver(sc, m), sc, repeat);
      rows.push(row(sc.name, "model", !fits, sc.duration, withModel.ticks, withModel.best));
      const ref = timeRuns(() => kit.driver(sc, null), sc, repeat);
      rows.push(row(sc.name, "reference", false, sc.duration, ref.ticks, ref.best));
      opts.log?.(`closed-loop bench: ${sc.name} model ${rows.at(-2)!.x_realtime}× reference ${rows.at(-1)!.x_realtime}×`);
    }
  } finally {
    for (const m of models) kit.dispose(m);
    for (const s of standIns.values()) kit.dispose(s);
    await rm(tmp, { recursive: true, force: true });
  }
  for (const driver of ["model", "reference"] as const) {
    const rs = rows.filter((r) => r.driver === driver);
    const simS = rs.reduce((a, r) => a + r.sim_s, 0);
    const ms = rs.reduce((a, r) => a + r.wall_ms, 0);
    rows.push(row("(all)", driver, rs.some((r) => r.stand_in), simS, rs.reduce((a, r) => a + r.ticks, 0), ms));
  }
  return rows;
}

export function formatClosedLoopTable(rows: readonly ClosedLoopRow[]): string {
  const head = ["scenario", "driver", "sim s", "ticks", "wall ms", "× real time", "µs/tick", "model × / ref ×"];
  const ref = new Map(rows.filter((r) => r.driver === "reference").map((r) => [r.scenario, r.x_realtime]));
  const body = rows.map((r) => [
    r.scenario,
    r.driver + (r.stand_in ? "*" : ""),
    String(r.sim_s),
    String(r.ticks),
    r.wall_ms.toFixed(1),
    r.x_realtime.toFixed(1),
    String(r.us_per_tick),
    r.driver === "model" && ref.get(r.scenario) ? (r.x_realtime / ref.get(r.scenario)!).toFixed(3) : "",
  ]);
  const w = head.map((h, i) => Math.max(h.length, ...body.map((b) => b[i].length)));
  const line = (c: string[]) => c.map((x, i) => (i < 2 ? x.padEnd(w[i]) : x.padStart(w[i]))).join("  ");
  return [line(head), w.map((n) => "-".repeat(n)).join("  "), ...body.map(line)].join("\n") + "\n* untrained stand-in of the model's shape on this vehicle's channels (the model's channels do not fit it)\n";
}
