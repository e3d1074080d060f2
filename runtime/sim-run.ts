// The closed loop wired to the real runtime: which scenarios, which policy per scenario, whether the model can
// drive that scenario's vehicle, and the driver that runs it (the vehicle's PipelineDriver, or the simulator's
// reference controller as the baseline). Shared by `lam sim`, `lam tune` (and its workers) and the closed-loop bench.
//
// Channels are never adapted behind the user's back. A scenario's vehicle takes exactly `scenario.actions`
// (steer_cmd and one of accel_cmd / speed_cmd); the policy must command exactly those channels, the model must
// predict every one of them, and every model feature must be a channel the simulator produces. Anything else is
// an incompatibility, named with both sides' channels: `lam sim` refuses to run it unless --skip-incompatible.
// Without --model, `lam sim` offers the bundled models and each scenario takes the first that predicts its
// vehicle's actions: the scene-aware driving models (robot-drive, car-drive: `lam imitate`) where present, else the
// driver-behaviour models (the F1TENTH model for the robot, the RAV4 model for the car).
import { existsSync, statSync } from "node:fs";
import { join } from "node:path";
import { CATALOG_DIR, loadCatalog, type Scenario } from "../scenarios/index.js";
import { runScenario, referenceDriver, SENSOR_GROUPS, type Driver, type ScenarioRun } from "../sim/index.js";
import type { DriverOutput } from "../sim/driver.js";
import { applyOverrides, policyPreset, type PolicyParams } from "../policy/index.js";
import type { ModelSpec } from "../dynamics/spec.js";
import { PipelineDriver } from "./pipeline-driver.js";
import { openModel, type RuntimeModel } from "./model.js";
import { bundledModelDirs, defaultModelDir, packageRoot } from "./model-dir.js";
import type { ParamSet } from "../sim/tune/sweep.js";
import { UsageError } from "./io.js";
import { PriorPredictor, defaultPrior } from "../dynamics/prior/index.js";
import { SCENE_CHANNELS } from "../perception/scene.js";
import { frameChannel } from "../perception/channels.js";
import type { FrameSpec } from "../perception/types.js";
import type { TickRecorder } from "../pipeline/ports.js";

export type DriverKind = "model" | "reference" | "prior";
export const DRIVER_KINDS: readonly DriverKind[] = ["model", "reference", "prior"];

/** Everything that decides how a scenario is driven, except the scenario. */
export interface SimSetup {
  readonly driver: DriverKind;
  /** Required for the model driver, unless `models` is given. */
  readonly model: RuntimeModel | null;
  /** Candidates instead of one model (the bundled ones): each scenario is driven by the first that predicts every
   *  action its vehicle takes (`modelFor`). */
  readonly models?: readonly RuntimeModel[];
  /** The --policy parameters; null = the preset for each scenario's vehicle. */
  readonly policy: PolicyParams | null;
  /** --param overrides applied on top of the policy. */
  readonly overrides: ParamSet;
}

/** The word users type for the bundled catalog. */
export const CATALOG_WORD = "catalog";

/**
 * A path as given where one exists; otherwise the word `catalog` is the bundled catalog and a catalog scenario's
 * name (`robot-track`, with or without `.yaml`) is its file.
 */
export function resolveScenarioArg(arg: string): string {
  if (statSync(arg, { throwIfNoEntry: false })) return arg;
  if (arg === CATALOG_WORD) return CATALOG_DIR;
  const named = join(CATALOG_DIR, arg.endsWith(".yaml") ? arg : `${arg}.yaml`);
  if (!arg.includes("/") && statSync(named, { throwIfNoEntry: false })) return named;
  throw new UsageError(`${arg}: no such scenario file or folder, nor a catalog scenario (use the word "${CATALOG_WORD}" for all of them)`);
}

/** Scenario files and/or catalog folders (or the word `catalog`, or catalog names), in the order given; names must be unique. */
export function loadScenarioArgs(args: readonly string[]): Scenario[] {
  const out: Scenario[] = [];
  const seen = new Map<string, string>();
  for (const arg of args) {
    const path = resolveScenarioArg(arg);
    for (const sc of loadCatalog(path)) {
      const prev = seen.get(sc.name);
      if (prev) throw new UsageError(`scenario name "${sc.name}" appears twice (${prev} and ${arg})`);
      seen.set(sc.name, arg);
      out.push(sc);
    }
  }
  return out;
}

/** The bundled preset for a scenario's vehicle: car → passenger-car, robot → robot-1-10. */
export function vehiclePresetName(sc: Scenario): string {
  return sc.vehicle.model === "car" ? "passenger-car" : "robot-1-10";
}

/** The policy a scenario runs with: --policy or the vehicle's preset, then the --param overrides. */
export function scenarioPolicy(sc: Scenario, base: PolicyParams | null, overrides: ParamSet): PolicyParams {
  const p = base ?? policyPreset(vehiclePresetName(sc));
  return Object.keys(overrides).length ? applyOverrides(p, overrides, "--param") : p;
}

/** Channels the simulator delivers to a driver: its sensors', and the executed command of each action channel. */
export function simulatedChannels(sc: Scenario): Set<string> {
  return new Set([...SENSOR_GROUPS.flatMap((g) => g.channels), ...sc.actions]);
}

const list = (xs: readonly string[]) => `[${xs.join(", ")}]`;
const sameSet = (a: readonly string[], b: readonly string[]) => a.length === b.length && a.every((x) => b.includes(x));

/** Why this policy (and model) cannot drive this scenario's vehicle, or null when they can. */
export function incompatibility(sc: Scenario, policy: PolicyParams | null, spec: ModelSpec | null): string | null {
  const problems: string[] = [];
  if (policy && !sameSet(policy.channels, sc.actions)) {
    problems.push(`policy "${policy.name}" commands ${list(policy.channels)} but the ${sc.vehicle.model} takes ${list(sc.actions)}`);
  }
  if (spec) {
    const missing = sc.actions.filter((a) => !spec.actions.includes(a));
    if (missing.length) problems.push(`the model predicts ${list(spec.actions)}, not ${list(missing)}`);
    const sim = simulatedChannels(sc);
    const unfed = spec.features.filter((f) => !sim.has(f));
    if (unfed.length) problems.push(`model features ${list(unfed)} are not simulated here (simulated: ${list([...sim])})`);
  }
  return problems.length ? `${sc.name}: ${problems.join("; ")}` : null;
}

/** Whether a model predicts every action channel the scenario's vehicle takes. */
export function predictsActions(spec: ModelSpec, sc: Scenario): boolean {
  return sc.actions.every((a) => spec.actions.includes(a));
}

/** The model that drives a scenario: `setup.model`, or among `setup.models` the first that predicts the
 *  scenario's actions (none does: the first, so that the incompatibility names its channels). */
export function modelFor(sc: Scenario, setup: SimSetup): RuntimeModel | null {
  const ms = setup.models;
  if (!ms?.length) return setup.model;
  return ms.find((m) => predictsActions(m.meta.spec, sc)) ?? ms[0];
}

/** The frames the prior alone reads: speed, the measured steering, the scene channels and the vehicle's actions. */
export function priorFrameSpec(sc: Scenario, rate = PRIOR_RATE): FrameSpec {
  const names = ["speed", "steer", ...SCENE_CHANNELS, ...sc.actions];
  return { rate, channels: names.map((n) => frameChannel(n)) };
}

/** Frame rate of the prior-alone driver (Hz), the bundled driving models' rate. */
export const PRIOR_RATE = 20;

/** The driver for one scenario. Timing (`timer`) is measured, never fed back: the run stays deterministic. */
export function makeDriver(setup: SimSetup, policy: PolicyParams, timer?: () => number, sc?: Scenario, recorder?: TickRecorder): Driver {
  if (setup.driver === "reference") return referenceDriver();
  if (setup.driver === "prior") {
    if (!sc) throw new Error("the prior driver needs the scenario (its vehicle)");
    const frameSpec = priorFrameSpec(sc);
    const predictor = new PriorPredictor(defaultPrior(sc.vehicle.model, frameSpec.rate), frameSpec.channels.map((c) => c.name), sc.actions);
    return new PipelineDriver({ frameSpec, predictor, policy, timer, controlRate: sc.rate, ...(recorder ? { recorder } : {}) });
  }
  const m = setup.model;
  if (!m) throw new Error("the model driver needs a model");
  // The scenario's control rate against the model's frame rate: refused unless a whole multiple (pipeline/rate.ts).
  return new PipelineDriver({ frameSpec: m.frameSpec, predictor: m.predictor(), policy, timer, ...(sc ? { controlRate: sc.rate } : {}), ...(recorder ? { recorder } : {}) });
}

export interface PlannedScenario {
  readonly scenario: Scenario;
  /** Null for the reference driver (it does not go through the policy). */
  readonly policy: PolicyParams | null;
  /** The model that drives it (null for the reference driver). */
  readonly model: RuntimeModel | null;
  readonly incompatible: string | null;
}

/** Policy and compatibility per scenario; an unknown --param key throws here, naming it and the known keys. */
export function planScenarios(scenarios: readonly Scenario[], setup: SimSetup): PlannedScenario[] {
  return scenarios.map((scenario) => {
    if (setup.driver === "reference") return { scenario, policy: null, model: null, incompatible: null };
    const policy = scenarioPolicy(scenario, setup.policy, setup.overrides);
    if (setup.driver === "prior") return { scenario, policy, model: null, incompatible: incompatibility(scenario, policy, null) };
    const model = modelFor(scenario, setup);
    return { scenario, policy, model, incompatible: incompatibility(scenario, policy, model?.meta.spec ?? null) };
  });
}

export interface RunOptions {
  readonly seed: number;
  /** Monotonic ms, for `timing` only. */
  readonly now?: () => number;
  readonly onScenario?: (name: string, i: number, n: number) => void;
  /** Where a scenario's ticks go as they are made (lam sim --mqtt); undefined: nowhere. */
  readonly onTick?: (scenario: Scenario) => ((out: DriverOutput, k: number) => void) | undefined;
  /** Where a pipeline driver's whole ticks (frame, prediction, command, why) go (lam sim --out's MCAP, --foxglove's frames); the reference driver has none. */
  readonly recorder?: (scenario: Scenario) => TickRecorder | undefined;
}

/** Runs the compatible scenarios of a plan in order. */
export function runPlanned(plan: readonly PlannedScenario[], setup: SimSetup, opts: RunOptions): ScenarioRun[] {
  const todo = plan.filter((p) => p.incompatible === null);
  return todo.map((p, i) => {
    opts.onScenario?.(p.scenario.name, i, todo.length);
    const driver = makeDriver({ ...setup, model: p.model }, p.policy ?? policyPreset(vehiclePresetName(p.scenario)), opts.now, p.scenario, opts.recorder?.(p.scenario));
    const onTick = opts.onTick?.(p.scenario);
    return runScenario(p.scenario, driver, { seed: opts.seed, now: opts.now, ...(onTick ? { onTick } : {}) });
  });
}

/** Opens the model, saying what to do when the bundled default is not there. */
export async function openModelFor(dir: string | undefined): Promise<RuntimeModel> {
  try {
    return await openModel(dir);
  } catch (e) {
    const msg = e instanceof Error ? e.message : String(e);
    throw new Error(dir === undefined ? `${msg}\n(the bundled default model at ${defaultModelDir()} could not be loaded: pass --model DIR, or --driver reference)` : msg);
  }
}

/** The bundled scene-aware driving model of a vehicle (scripts/imitate-default.sh builds it with `lam imitate`). */
export function drivingModelDir(vehicle: "car" | "robot"): string {
  return join(packageRoot(), "dynamics", "models", vehicle === "car" ? "car-drive" : "robot-drive");
}

/**
 * The models `lam sim` offers without --model, in the order a scenario takes them: the scene-aware driving models
 * first (those present), then the driver-behaviour models trained on recorded drives.
 */
export function simModelDirs(): string[] {
  const driving = [drivingModelDir("robot"), drivingModelDir("car")].filter((d) => existsSync(join(d, "lam.json")));
  return [...driving, ...bundledModelDirs()];
}

/**
 * Without --model: the bundled models the scenarios need, each opened once and only when a scenario needs it
 * (a scenario takes the first bundled model that predicts its vehicle's actions; see modelFor).
 */
export async function openBundledModels(scenarios: readonly Scenario[], dirs: readonly string[] = simModelDirs()): Promise<RuntimeModel[]> {
  const left = [...dirs];
  const open: RuntimeModel[] = [];
  for (const sc of scenarios) {
    if (open.some((m) => predictsActions(m.meta.spec, sc))) continue;
    while (left.length) {
      const dir = left.shift()!;
      try {
        open.push(await openModel(dir));
      } catch (e) {
        for (const m of open) m.model.dispose();
        const msg = e instanceof Error ? e.message : String(e);
        throw new Error(`${msg}\n(the bundled model at ${dir} could not be loaded: pass --model DIR, or --driver reference)`);
      }
      if (predictsActions(open[open.length - 1].meta.spec, sc)) break;
    }
    if (!left.length) break;
  }
  return open;
}
