import { mkdir, writeFile } from "node:fs/promises";
import { checkMqttFlags, externalMqttOptions, MQTT_CLIENT_FLAGS } from "../run-mqtt.js";
import { join } from "node:path";
import { parseArgs } from "node:util";
import { loadDrive } from "../../bridges/index.js";
import { replayRecorder } from "../../bridges/foxglove/replay-recorder.js";
import { connectMqtt, mqttActionSink, redactUrl, type ActionSink } from "../../bridges/mqtt/index.js";
import { publishTick } from "../../pipeline/ports.js";
import { splitRosArgs } from "../../bridges/ros2/ros-args.js";
import { BATCH_SINK_FLAGS, batchSinkHelp, openBatchSinks, prepareBatchSinks, type BatchSinks } from "../batch-sinks.js";
import type { RunRos2Deps } from "../run-ros2.js";
import { standardBaselines } from "../../dynamics/evaluate.js";
import { FastPredictor } from "../../dynamics/predictor.js";
import { replayDrive, replayFrameSpec, type ReplayOutcome } from "../../sim/replay/engine.js";
import { buildReplayReport, replayHtml, type ScenarioReport, type ReplayEntry } from "../../sim/replay/report.js";
import { encodeRuns } from "../../sim/replay/runs.js";
import { UsageError, type CliIO } from "../io.js";
import { imuMountOption } from "../imu-mount.js";
import { openModel, openPolicy } from "../model.js";
import { parseShard, shardOf } from "../shard.js";

const HELP = `usage: lam replay <drive...> [--model DIR] [--policy FILE|preset] [--out DIR] [--json]
                  [--mqtt URL [--vehicle ID]] [--foxglove PORT [--foxglove-wait S]] [--ros2 [--ros-args ... [--]]]
                  [--shard K/N] [--map NAME|FILE] [--imu-mount R,P,Y|X,Y,Z,W]

Open-loop replay: each recorded drive runs through perception → model → policy on the drive's own clock,
and every prediction is compared with what was actually done over its horizon (ADE/FDE per action
channel, with the baselines on the same ticks). Drives without the model's action channels are replayed
and reported with ADE/FDE null. Latency and run time are wall-clock figures, reported under "timing" only.

  --model DIR       model folder (default: the bundled default model)
  --policy X        policy parameters: a preset name or a JSON file (default: the preset for the model's actions)
  --out DIR         write report.json, runs.json (for lam merge), report.html and <drive>.replay.mcap
                    (zstd; frames, predictions, commands as JSON, the ROS 2 node's messages as CDR, the
                    predicted path and mode/limit log for Foxglove; log times from the drive's clock;
                    lam inspect/replay read it back as a drive)
  --json            print the report as one JSON object
  --mqtt URL        publish predictions and commands to lam/<vehicle>/{prediction,command} while replaying
  --vehicle ID      vehicle id for --mqtt (default: replay)
  --mqtt-ca F, --mqtt-cert F --mqtt-key F, --mqtt-username U --mqtt-password-file F
                    login and TLS for --mqtt, as lam run (docs/mqtt-security.md)
${batchSinkHelp(20)}  --shard K/N       replay only drives i (0-based) with i mod N = K-1; merge shard reports with lam merge
  --map NAME|FILE   CSV column map for CSV drives (default: detected)
  --imu-mount M     ROS drives: the IMU's rotation in base_link, roll,pitch,yaw (rad, or e.g. 90deg) or x,y,z,w;
                    overrides /tf_static (default: /tf_static when the recording has it, else none)

Exit status (as lam sim): 0 when the report was made, whatever it says (pass/fail is in the report: a replay
fails only on non-finite commands); 1 on an error (unreadable drive, model, broker); 2 on a usage error.
`;

/** A file name from a scenario name: anything outside [A-Za-z0-9._-] becomes "_". */
function fileName(name: string): string {
  return name.replace(/[^A-Za-z0-9._-]/g, "_") || "drive";
}

function table(report: ScenarioReport): string {
  const lines: string[] = [];
  for (const s of report.scenarios) {
    const d = s.replay!;
    const hold = d.baselines["hold_last"];
    const chans = d.actions
      .map((ch) => {
        const m = d.model.per_channel[ch];
        const h = hold?.per_channel[ch];
        return `${ch} ${m?.ade === null || !m ? "–" : m.ade.toFixed(4)}${h?.ade != null ? ` (hold_last ${h.ade.toFixed(4)})` : ""}`;
      })
      .join("  ");
    lines.push(
      `${s.passed ? "pass" : "FAIL"}  ${s.name.padEnd(18)} ${String(d.frames).padStart(6)} frames  ADE ${chans}  ` +
        `fallback ${((s.metrics.fallback_share ?? 0) * 100).toFixed(1)}%  limits ${s.metrics.limit_events ?? 0}  ` +
        `p50 ${s.timing.p50_tick_ms ?? "–"} ms  p99 ${s.timing.p99_tick_ms ?? "–"} ms`,
    );
    if (d.held_out) {
      const h = d.held_out;
      const hb = h.baselines["hold_last"];
      const txt = d.actions.map((ch) => `${ch} ${h.model.per_channel[ch]?.ade?.toFixed(4) ?? "–"} (hold_last ${hb?.per_channel[ch]?.ade?.toFixed(4) ?? "–"})`).join("  ");
      lines.push(`      held-out blocks only (${h.model.ticks} ticks): ADE ${txt}`);
    }
    for (const n of d.notes) if (!n.startsWith("comfort")) lines.push(`      ${n}`);
  }
  const r = report.summary.replay;
  if (r) {
    const pooled = Object.entries(r.model.per_channel)
      .map(([ch, m]) => {
        const b = Object.entries(r.baselines).map(([n, s]) => `${n} ${s.per_channel[ch]?.ade?.toFixed(4) ?? "–"}`);
        return `${ch}: model ${m.ade?.toFixed(4) ?? "–"}, ${b.join(", ")} (${m.ticks} ticks)`;
      })
      .join("; ");
    lines.push(`all ${r.drives} drives, ${r.frames} frames — ADE ${pooled}`);
    if (r.held_out) {
      const h = r.held_out;
      const txt = Object.entries(h.model.per_channel)
        .map(([ch, m]) => `${ch}: model ${m.ade?.toFixed(4) ?? "–"}, ${Object.entries(h.baselines).map(([n, b]) => `${n} ${b.per_channel[ch]?.ade?.toFixed(4) ?? "–"}`).join(", ")} (${m.ticks} ticks)`)
        .join("; ");
      lines.push(`held-out blocks of ${h.drives} training drives — ADE ${txt}`);
    }
  }
  lines.push(`${report.summary.passed}/${report.summary.scenarios} passed`);
  return lines.join("\n") + "\n";
}

export default async function replay(argv: string[], io: CliIO, deps: RunRos2Deps = {}): Promise<number> {
  // ROS arguments are not lam's options: from --ros-args to a lone -- (or the end) they go to rclnodejs.
  const { args: ownArgs, ros: rosTokens } = splitRosArgs(argv);
  const { values, positionals } = parseArgs({
    args: ownArgs,
    allowPositionals: true,
    options: {
      model: { type: "string" },
      policy: { type: "string" },
      out: { type: "string" },
      json: { type: "boolean" },
      ...MQTT_CLIENT_FLAGS,
      vehicle: { type: "string" },
      ...BATCH_SINK_FLAGS,
      shard: { type: "string" },
      map: { type: "string" },
      "imu-mount": { type: "string" },
      help: { type: "boolean", short: "h" },
    },
  });
  if (values.help) {
    io.stdout.write(HELP);
    return 0;
  }
  if (positionals.length === 0) throw new UsageError("give at least one drive");
  if (values.vehicle !== undefined && values.mqtt === undefined) throw new UsageError("--vehicle needs --mqtt URL");
  checkMqttFlags(values);
  // --imu-mount is replay's own (the drive's IMU): only the ROS node's flags go to the node.
  const batchFlags = prepareBatchSinks({ ...values, "imu-mount": undefined }, rosTokens, deps.env ?? process.env);
  const shard = values.shard === undefined ? undefined : parseShard(values.shard);
  const paths = shardOf(positionals, shard);
  if (shard) io.stderr.write(`lam replay: shard ${values.shard}: ${paths.length} of ${positionals.length} drives\n`);

  const model = await openModel(values.model);
  const entries: ReplayEntry[] = [];
  let policyName = "";
  let mqtt: ActionSink | undefined;
  let batch: BatchSinks | undefined;
  const say = (l: string) => void io.stderr.write(`lam replay: ${l}\n`);
  try {
    const policy = await openPolicy(model.meta.spec, values.policy);
    policyName = policy.name;
    const frameSpec = replayFrameSpec(model.frameSpec);
    const frameChannels = frameSpec.channels.map((c) => c.name);
    const predictor = new FastPredictor(model.predictorModel, { frameChannels, name: "lstm" });
    const baselines = standardBaselines(model.meta, frameChannels);
    // A drive the model trained on is also scored on its held-out blocks alone (lam.json records them).
    const trainedOn = new Set(model.meta.training?.drives ?? []);
    const testBlocks = (model.meta.training?.split ?? []).filter((b) => b.role === "test");
    if (values.out) await mkdir(values.out, { recursive: true });
    if (values.mqtt) {
      mqtt = mqttActionSink(await connectMqtt(externalMqttOptions({ ...values, mqtt: values.mqtt }, { vehicle: values.vehicle ?? "replay" }, (l) => io.stderr.write(`lam replay: ${l}\n`))));
      mqtt.publishStatus({ state: "online", t: Date.now() / 1000, detail: "replay", model: model.dir });
    }
    batch = await openBatchSinks(batchFlags, deps, say);
    batch.status({ state: "online", t: Date.now() / 1000, detail: "replay", model: model.dir });
    const names = new Map<string, string>();
    for (const path of paths) {
      const start = performance.now();
      const drive = await loadDrive(path, { ...(values.map ? { map: values.map } : {}), ...imuMountOption(values["imu-mount"]) });
      const clash = names.get(drive.name);
      if (clash !== undefined) throw new UsageError(`${path}: drive "${drive.name}" is already replayed from ${clash}; each drive once`);
      names.set(drive.name, path);
      const mcap = values.out ? await replayRecorder(join(values.out, `${fileName(drive.name)}.replay.mcap`), { frameChannels, wheelbase: policy.wheelbase }) : undefined;
      const sinks = [...(mqtt ? [mqtt] : []), ...batch.sinks];
      const live = batch;
      let outcome: ReplayOutcome;
      try {
        outcome = replayDrive(drive, {
          frameSpec,
          predictor,
          policy,
          actions: model.meta.spec.actions,
          baselines,
          timer: () => performance.now(),
          heldOut: trainedOn.has(drive.name) ? testBlocks.filter((b) => b.drive === drive.name).map((b) => ({ t0: b.t0, t1: b.t1 })) : undefined,
          onTick: (r) => {
            mcap?.onTick(r);
            if (live.sinks.length) live.frame(r.frame, frameChannels);
            if (sinks.length) publishTick(sinks, r);
          },
        });
      } finally {
        await mcap?.close();
      }
      const wall = (performance.now() - start) / 1000;
      entries.push({ outcome, wall_s: wall });
      io.stderr.write(`lam replay: ${path}: ${outcome.detail.frames} frames in ${wall.toFixed(2)} s\n`);
    }
  } finally {
    model.model.dispose();
    if (batch) {
      batch.status({ state: "offline", t: Date.now() / 1000, detail: `replay done: ${entries.length} of ${paths.length} drives` });
      await batch.close(say);
    }
    if (mqtt) {
      // Counted after closing: close() waits for what is still in flight, which is not "not published".
      await mqtt.close();
      const st = mqtt.stats();
      const why = Object.entries(st.rejected).map(([k, n]) => `${k} ${n}`).join(", ");
      io.stderr.write(`lam replay: mqtt ${redactUrl(values.mqtt ?? "")}: ${st.accepted} published, ${st.received - st.accepted} not${why ? ` (${why}${st.lastError ? `; last: ${st.lastError}` : ""})` : ""}\n`);
    }
  }

  const built = buildReplayReport(entries);
  const { runs } = built;
  // Beside the scenarios, what they were run with: lam merge refuses to merge shards that disagree on it.
  const report = {
    ...built.report,
    model: { dir: model.dir, sha256: model.meta.weightsSha256, features: model.meta.spec.features, actions: model.meta.spec.actions, rate: model.meta.spec.rate },
    policy: policyName,
    shard: shard ? `${shard.k}/${shard.n}` : null,
    timing: { wall_s: Math.round(entries.reduce((a, e) => a + (e.wall_s ?? 0), 0) * 1e3) / 1e3 },
  };
  if (values.out) {
    await writeFile(join(values.out, "report.json"), JSON.stringify(report, null, 2) + "\n");
    await writeFile(join(values.out, "runs.json"), encodeRuns(runs));
    await writeFile(join(values.out, "report.html"), replayHtml(runs, report));
    io.stderr.write(`lam replay: wrote ${join(values.out, "report.json")}, runs.json, report.html and ${runs.length} MCAP file(s)\n`);
  }
  if (values.json) io.stdout.write(JSON.stringify(report) + "\n");
  else io.stdout.write(table(report));
  return 0;
}
