import { parseArgs } from "node:util";
import { checkMqttFlags, externalMqttOptions, MQTT_CLIENT_FLAGS } from "../run-mqtt.js";
import { mkdir, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { performance } from "node:perf_hooks";
import { UsageError, type CliIO } from "../io.js";
import { buildReport, renderHtml, type Report } from "../../sim/index.js";
import { encodeRuns } from "../../sim/replay/runs.js";
import { openPolicy, type RuntimeModel } from "../model.js";
import { parseShard, shardOf } from "../shard.js";
import { checkParams, parseParamSet } from "../tune/params.js";
import { DRIVER_KINDS, loadScenarioArgs, openBundledModels, openModelFor, planScenarios, runPlanned, type DriverKind, type SimSetup } from "../sim-run.js";
import { parseScenario, type Scenario } from "../../scenarios/index.js";
import { generateScenarios, scenarioYaml } from "../../sim/generate.js";
import { connectMqtt, mqttActionSink, redactUrl, type ActionSink } from "../../bridges/mqtt/index.js";
import { publishTick, type TickRecorder } from "../../pipeline/ports.js";
import type { TickResult } from "../../pipeline/decider.js";
import { replayRecorder } from "../../bridges/foxglove/replay-recorder.js";
import { splitRosArgs } from "../../bridges/ros2/ros-args.js";
import { BATCH_SINK_FLAGS, batchSinkHelp, openBatchSinks, prepareBatchSinks, type BatchSinks } from "../batch-sinks.js";
import type { RunRos2Deps } from "../run-ros2.js";
import { priorFrameSpec } from "../sim-run.js";

const HELP = `usage: lam sim <scenario.yaml|folder|catalog ...> [options]

Runs each scenario's closed loop on the simulator's virtual clock, driven by the runtime that runs on the
vehicle (perception → model → policy), and reports its metrics and pass/fail. Exit code 0 when it ran, even
if scenarios failed (the report says which); 1 on an error.

  --model DIR          model folder (default: per scenario, the bundled model that predicts its vehicle's
                       actions: dynamics/models/default [speed_cmd, steer_cmd] for the robot,
                       dynamics/models/car [steer_cmd, accel_cmd] for the car)
  --policy FILE|NAME   policy parameters: a JSON file or a preset (default: by the scenario's vehicle:
                       car → passenger-car, robot → robot-1-10)
  --param key=value    override one policy parameter, e.g. policy.blend=0.5 (repeatable)
  --driver model|reference|prior
                       model (default): the runtime pipeline; reference: the simulator's reference
                       controller, the baseline (no model, no policy); prior: the rule-based prior
                       over the scene channels alone (pure pursuit + IDM) through perception and policy
  --seed N             seed of the sensor noise and faults (default 1), and of --generate
  --generate N         run N procedurally generated scenarios (sim/generate.ts: random roads, speeds,
                       traffic, cut-ins, stops, lane changes, sensor faults) of seed --seed, after any
                       scenario files given; with --out their YAML files go to DIR/scenarios/, so a
                       failure reproduces with lam sim DIR/scenarios/<name>.yaml --seed S
  --vehicle car|robot|both
                       which vehicle --generate draws (default both, alternating)
  --shard K/N          run only shard K of N (round-robin over the scenarios in order)
  --skip-incompatible  run the scenarios the model and policy can drive and list the others as skipped
                       (default: any incompatible scenario is an error)
  --out DIR            write report.json, report.html and runs.json (the full tick records, which
                       lam merge reads to re-render the HTML of merged shards), and per scenario
                       <scenario>.sim.mcap: lam replay's recorder (frames, predictions, commands, the ROS 2
                       messages, predicted path, mode/limit log) plus the simulated vehicle pose
                       (/lam/vehicle_pose, world frame); times from the simulator's clock, so the same seed
                       gives the same bytes (model and prior drivers: the reference driver has no frames)
  --mqtt URL           publish what each scenario computes, as it runs: lam/sim-<scenario>/prediction,
                       .../command per tick and .../status (retained: online, then offline with the verdict);
                       login and TLS as lam run: --mqtt-ca, --mqtt-cert/--mqtt-key, --mqtt-username/--mqtt-password-file
${batchSinkHelp(23)}  --json               print one JSON object

The model must predict every action channel the scenario's vehicle takes (scenario.actions), the policy must
command exactly those channels, and every model feature must be a simulated channel; channels are never
converted (a speed_cmd model does not drive an accel_cmd car).

JSON: "model" is the model that drove every scenario (null when none did, or when several bundled ones did);
"models" lists each model used with the scenarios it drove; each scenario's "model" is that model's sha256.
`;

export function seedOf(v: string | undefined): number {
  if (v === undefined) return 1;
  const n = Number(v);
  if (!Number.isSafeInteger(n) || n < 0) throw new UsageError(`--seed ${v}: expected a non-negative integer`);
  return n;
}

export function driverOf(v: string | undefined): DriverKind {
  const d = (v ?? "model") as DriverKind;
  if (!DRIVER_KINDS.includes(d)) throw new UsageError(`--driver ${v}: expected one of ${DRIVER_KINDS.join(", ")}`);
  return d;
}


/** The MQTT vehicle id of a scenario: sim-<name>, with what a topic level cannot hold replaced by "_". */
export function simVehicleId(scenario: string): string {
  return `sim-${scenario.replace(/[/+#\u0000]/g, "_") || "_"}`;
}

export function modelInfo(m: RuntimeModel | null) {
  return m ? { dir: m.dir, sha256: m.meta.weightsSha256, features: m.meta.spec.features, actions: m.meta.spec.actions, rate: m.meta.spec.rate } : null;
}

const fmt = (v: number | null) => (v === null ? "–" : Number.isInteger(v) ? String(v) : v.toFixed(3));

function table(report: Report): string {
  const head = ["scenario", "result", "collisions", "min TTC s", "lane dev m", "progress", "fallback", "ADE", "failed"];
  const rows = report.scenarios.map((s) => [
    s.name,
    s.passed ? "pass" : "FAIL",
    fmt(s.metrics.collisions),
    fmt(s.metrics.min_ttc_s),
    fmt(s.metrics.max_lane_deviation_m),
    fmt(s.metrics.progress),
    fmt(s.metrics.fallback_share),
    fmt(s.metrics.ade),
    s.failed.join(", ") || "–",
  ]);
  const w = head.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i].length)));
  const line = (c: string[]) => c.map((x, i) => (i === 0 || i === c.length - 1 ? x.padEnd(w[i]) : x.padStart(w[i]))).join("  ");
  return [line(head), w.map((n) => "-".repeat(n)).join("  "), ...rows.map(line)].join("\n") + "\n";
}

/** A file name from a scenario name: anything outside [A-Za-z0-9._-] becomes "_". */
function fileName(name: string): string {
  return name.replace(/[^A-Za-z0-9._-]/g, "_") || "scenario";
}

export default async function sim(argv: string[], io: CliIO, deps: RunRos2Deps = {}): Promise<number> {
  // ROS arguments are not lam's options: from --ros-args to a lone -- (or the end) they go to rclnodejs.
  const { args: ownArgs, ros: rosTokens } = splitRosArgs(argv);
  const { values, positionals } = parseArgs({
    args: ownArgs,
    allowPositionals: true,
    options: {
      model: { type: "string" },
      policy: { type: "string" },
      param: { type: "string", multiple: true },
      driver: { type: "string" },
      seed: { type: "string" },
      generate: { type: "string" },
      vehicle: { type: "string" },
      shard: { type: "string" },
      "skip-incompatible": { type: "boolean" },
      out: { type: "string" },
      ...MQTT_CLIENT_FLAGS,
      ...BATCH_SINK_FLAGS,
      json: { type: "boolean" },
      help: { type: "boolean", short: "h" },
    },
  });
  if (values.help) {
    io.stdout.write(HELP);
    return 0;
  }
  const generate = values.generate === undefined ? 0 : Number(values.generate);
  if (!Number.isInteger(generate) || generate < 0) throw new UsageError(`--generate ${values.generate}: expected a non-negative integer`);
  const vehicle = values.vehicle ?? "both";
  if (vehicle !== "car" && vehicle !== "robot" && vehicle !== "both") throw new UsageError(`--vehicle ${vehicle}: expected car, robot or both`);
  if (values.vehicle !== undefined && !generate) throw new UsageError("--vehicle chooses what --generate draws: give --generate N");
  if (positionals.length === 0 && !generate) throw new UsageError('give a scenario file, a folder of them, or "catalog" (or --generate N)');
  checkMqttFlags(values);
  const batchFlags = prepareBatchSinks(values, rosTokens, deps.env ?? process.env);
  const driver = driverOf(values.driver);
  const seed = seedOf(values.seed);
  const shard = values.shard === undefined ? undefined : parseShard(values.shard);
  const overrides = parseParamSet(values.param ?? []);
  if (driver === "reference" && (values.model || values.policy || values.param?.length)) {
    throw new UsageError("--driver reference uses neither a model nor a policy: drop --model/--policy/--param");
  }
  if (driver === "prior" && values.model) throw new UsageError("--driver prior uses no model: drop --model");

  // Generated scenarios go through their YAML text, so what runs is exactly what the written file reproduces.
  const generated = generateScenarios(generate, { seed, vehicle }).map((g) => ({ text: scenarioYaml(g), name: g.name }));
  const all = [...loadScenarioArgs(positionals), ...generated.map((g) => parseScenario(g.text, `${g.name}.yaml`))];
  if (generated.length && values.out) {
    await mkdir(join(values.out, "scenarios"), { recursive: true });
    for (const g of generated) await writeFile(join(values.out, "scenarios", `${g.name}.yaml`), g.text);
  }
  const scenarios = shardOf(all, shard);
  const given = driver === "model" && values.model !== undefined ? await openModelFor(values.model) : null;
  const bundled = driver === "model" && values.model === undefined ? await openBundledModels(scenarios) : [];
  // --policy names a file or preset: which model is asked does not matter then.
  const base = values.policy === undefined || driver === "reference" ? null : await openPolicy({ actions: [] }, values.policy);
  const setup: SimSetup = { driver, model: given, models: bundled, policy: base, overrides };
  const plan = checkParams(() => planScenarios(scenarios, setup));
  const bad = plan.filter((p) => p.incompatible !== null);
  if (bad.length && !values["skip-incompatible"]) {
    throw new Error(
      `${bad.length} of ${plan.length} scenarios cannot be driven by this model and policy:\n  ${bad.map((b) => b.incompatible).join("\n  ")}\n` +
        `(run them with a model that predicts their channels, --driver reference, or --skip-incompatible)`,
    );
  }
  for (const b of bad) io.stderr.write(`lam sim: skipped ${b.incompatible}\n`);

  // --mqtt: one vehicle id per scenario (lam/sim-<scenario>/…), the same sink as lam run and lam replay.
  const sinks = new Map<string, ActionSink>();
  const closeSinks = async (verdict: (name: string) => string) => {
    let published = 0;
    let failed = 0;
    for (const [name, sink] of sinks) {
      sink.publishStatus({ state: "offline", t: Date.now() / 1000, detail: verdict(name) });
      // Closing waits for what is in flight: counted after it, a publish still on its way is not "not published".
      await sink.close();
      const st = sink.stats();
      published += st.accepted;
      failed += st.received - st.accepted;
    }
    if (sinks.size) io.stderr.write(`lam sim: mqtt ${redactUrl(values.mqtt ?? "")}: ${sinks.size} scenarios, ${published} published, ${failed} not\n`);
    sinks.clear();
  };
  let runs: ReturnType<typeof runPlanned>;
  let wall: number;
  let batch: BatchSinks | undefined;
  // --out: each scenario's whole ticks, written to its MCAP after the run beside the simulated pose.
  const kept = new Map<string, TickResult[]>();
  const channelsOf = new Map(plan.map((p) => [p.scenario.name, (p.model?.frameSpec ?? priorFrameSpec(p.scenario)).channels.map((c) => c.name)]));
  try {
    batch = await openBatchSinks(batchFlags, deps, (l) => void io.stderr.write(`lam sim: ${l}\n`));
    batch.status({ state: "online", t: Date.now() / 1000, detail: `sim seed ${seed}`, model: given?.meta.weightsSha256 ?? driver });
    if (values.mqtt) {
      let warned = false;
      const warnOnce = (l: string) => void (warned || io.stderr.write(`lam sim: ${l}\n`), (warned = true));
      for (const p of plan.filter((q) => q.incompatible === null)) {
        const vehicle = simVehicleId(p.scenario.name);
        const sink = mqttActionSink(await connectMqtt(externalMqttOptions({ ...values, mqtt: values.mqtt }, { vehicle }, warnOnce)));
        sinks.set(p.scenario.name, sink);
        sink.publishStatus({ state: "online", t: Date.now() / 1000, detail: `sim ${p.scenario.name} seed ${seed}`, model: p.model?.meta.weightsSha256 ?? driver });
      }
    }
    const t0 = performance.now();
    runs = runPlanned(plan, setup, {
      seed,
      now: () => performance.now(),
      onScenario: (name, i, n) => io.stderr.write(`lam sim: [${i + 1}/${n}] ${name}\n`),
      onTick: (sc) => {
        const mqtt = sinks.get(sc.name);
        const all = [...(mqtt ? [mqtt] : []), ...batch!.sinks];
        return all.length ? (out) => publishTick(all, out) : undefined;
      },
      recorder: (sc): TickRecorder | undefined => {
        const live = batch!.sinks.length > 0;
        if (!values.out && !live) return undefined;
        const ticks: TickResult[] = [];
        if (values.out) kept.set(sc.name, ticks);
        const channels = channelsOf.get(sc.name)!;
        return {
          record(r) {
            if (values.out) ticks.push(r);
            if (live) batch!.frame(r.frame, channels);
          },
        };
      },
    });
    wall = (performance.now() - t0) / 1000;
  } catch (e) {
    await closeSinks(() => "sim failed");
    batch?.status({ state: "offline", t: Date.now() / 1000, detail: "sim failed" });
    await batch?.close((l) => void io.stderr.write(`lam sim: ${l}\n`));
    throw e;
  }
  given?.model.dispose();
  for (const m of bundled) m.model.dispose();
  const ran = plan.filter((p) => p.incompatible === null && p.model);
  const used = [...new Set(ran.map((p) => p.model!))];
  const model = given ?? (used.length === 1 ? used[0] : null);

  const report = buildReport(runs);
  const verdicts = new Map(report.scenarios.map((s) => [s.name, s.passed ? "passed" : `FAILED: ${s.failed.join(", ")}`]));
  await closeSinks((name) => `sim done: ${verdicts.get(name) ?? "not run"}`);
  batch.status({ state: "offline", t: Date.now() / 1000, detail: `sim done: ${report.summary.passed}/${report.summary.scenarios} passed` });
  await batch.close((l) => void io.stderr.write(`lam sim: ${l}\n`));
  const policyOf = new Map(plan.map((p) => [p.scenario.name, p.policy?.name ?? null]));
  const modelOf = new Map(plan.map((p) => [p.scenario.name, p.model?.meta.weightsSha256 ?? null]));
  const out = {
    scenarios: report.scenarios.map((s) => ({ ...s, policy: policyOf.get(s.name) ?? null, model: modelOf.get(s.name) ?? null })),
    summary: { ...report.summary, skipped: bad.map((b) => ({ name: b.scenario.name, reason: b.incompatible })) },
    driver,
    model: modelInfo(model),
    models: used.map((m) => ({ ...modelInfo(m)!, scenarios: ran.filter((p) => p.model === m).map((p) => p.scenario.name) })),
    policy: values.policy ?? null,
    params: overrides,
    seed,
    shard: shard ? `${shard.k}/${shard.n}` : null,
    timing: { wall_s: Math.round(wall * 1000) / 1000, sim_s: runs.reduce((a, r) => a + r.duration, 0) },
  };
  const json = JSON.stringify(out);
  if (values.out) {
    await mkdir(values.out, { recursive: true });
    await writeFile(join(values.out, "report.json"), json + "\n");
    await writeFile(join(values.out, "report.html"), renderHtml(runs, { report, title: `lam sim — ${driver} driver${used.length ? `, model ${used.map((m) => m.meta.weightsSha256.slice(0, 12)).join(" + ")}` : ""}` }));
    await writeFile(join(values.out, "runs.json"), encodeRuns(runs));
    const mcaps = await writeSimMcaps(values.out, runs, kept, channelsOf, new Map(plan.map((p) => [p.scenario.name, p.policy?.wheelbase])));
    io.stderr.write(`lam sim: wrote ${join(values.out, "report.json")}, report.html, runs.json and ${mcaps} MCAP file(s)\n`);
  }
  if (values.json) {
    io.stdout.write(json + "\n");
    return 0;
  }
  const s = report.summary;
  io.stdout.write(table(report));
  io.stdout.write(`${s.passed}/${s.scenarios} passed, ${s.collisions} collisions${bad.length ? `, ${bad.length} skipped (incompatible)` : ""}; ${out.timing.sim_s} s simulated in ${out.timing.wall_s} s\n`);
  return 0;
}

/**
 * One <scenario>.sim.mcap per scenario a pipeline drove, through replay's recorder: its ticks as computed, each with
 * the vehicle's simulated pose at that tick (the run's tick k is the driver's tick k). Returns how many were written.
 */
async function writeSimMcaps(
  dir: string,
  runs: readonly { readonly name: string; readonly ticks: readonly { readonly t: number; readonly x: number; readonly y: number; readonly heading: number }[] }[],
  kept: ReadonlyMap<string, readonly TickResult[]>,
  channelsOf: ReadonlyMap<string, readonly string[]>,
  wheelbaseOf: ReadonlyMap<string, number | undefined>,
): Promise<number> {
  let n = 0;
  for (const run of runs) {
    const ticks = kept.get(run.name);
    const wheelbase = wheelbaseOf.get(run.name);
    if (!ticks?.length || wheelbase === undefined) continue;
    const rec = await replayRecorder(join(dir, `${fileName(run.name)}.sim.mcap`), { frameChannels: channelsOf.get(run.name)!, wheelbase, poseFrameId: "world" });
    try {
      // The driver's tick k is the run's tick k (one driver call per control tick).
      ticks.forEach((r, k) => rec.onTick(r, run.ticks[k]));
    } finally {
      await rec.close();
    }
    n++;
  }
  return n;
}
