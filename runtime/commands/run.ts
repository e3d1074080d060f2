import { basename } from "node:path";
import { parseArgs } from "node:util";
import type { ActionSink, SampleSource } from "../../bridges/codec/live.js";
import type { CodecName } from "../../bridges/codec/payload-codec.js";
import { connectMqtt } from "../../bridges/mqtt/link.js";
import { mqttSamplePublisher } from "../../bridges/mqtt/sink.js";
import { openMqttBridge } from "../../bridges/mqtt/bridge.js";
import { UsageError, type CliIO } from "../io.js";
import { DEMO_SCENARIO, demoModelDir, recordDemoDrive, startDemoPublisher, type DemoPublisher } from "../demo.js";
import { startLiveNode, statusLine, summaryLines } from "../live/index.js";
import { openModel, openPolicy } from "../model.js";
import { checkMqttFlags, MQTT_FLAGS, MQTT_HELP, openRunMqtt } from "../run-mqtt.js";
import { armShutdown, closeWithin, type ShutdownGuard } from "../shutdown.js";
import { nodeHealth, nodeMetrics, startObserveServer, statusFields } from "../observe/index.js";
import { metricsPort, OBSERVE_FLAGS, OBSERVE_HELP, runLogger } from "../observe/run-flags.js";
import { splitRosArgs } from "../../bridges/ros2/ros-args.js";
import { replayRecorder } from "../../bridges/foxglove/replay-recorder.js";
import type { TickResult } from "../../pipeline/decider.js";
import { openRunRos2, prepareRos2, ROS2_FLAGS, ROS2_HELP, type RunRos2Deps } from "../run-ros2.js";

/** After SIGINT/SIGTERM: closing may take this long, then the process ends anyway; a second signal ends it at once. */
const STOP_GRACE_MS = 5000;

const HELP = `usage: lam run [--mqtt URL [--mqtt-ca F] [--mqtt-cert F --mqtt-key F] [--mqtt-username U --mqtt-password-file F]] [--vehicle ID] [--codec msgpack|json] [--model DIR] [--policy FILE|PRESET]
               [--ros2 [--ros2-topic TOPIC=TYPE ...] [--ros2-command K] [--wheelbase M] [--imu-mount M]]
               [--foxglove PORT] [--record FILE.mcap] [--metrics PORT] [--log-level L] [--log-format text|json] [--demo] [--duration S] [--json]
               [--ros-args ROS_ARGS... [--]]

The live node: samples in on lam/<vehicle>/in/<channel>, prediction and command out on lam/<vehicle>/prediction
and lam/<vehicle>/command, status (retained) on lam/<vehicle>/status. Runs until Ctrl-C or SIGTERM (or --duration);
after one it stops within ${STOP_GRACE_MS / 1000} s whatever hangs, and a second one ends it at once.

${MQTT_HELP}${OBSERVE_HELP}  --vehicle ID       the <vehicle> topic level (default "lam")
  --codec C          msgpack (default) or json, for what lam publishes and payloads without a content type
  --model DIR        model folder (default: the bundled default model; with --demo, dynamics/models/robot-drive)
  --policy FILE      policy parameters: a JSON file or a preset name (default: the preset matching the model)
${ROS2_HELP}  --foxglove PORT    serve a Foxglove live view on ws://127.0.0.1:PORT (frames, predictions, commands, status)
  --record FILE      record what the node computes to an MCAP file as lam replay does (frames, predictions, commands,
                     the ROS 2 messages, predicted path, mode/limit log; log times from the frames' clock), closed
                     and readable after Ctrl-C, SIGTERM or --duration
  --demo             also run a demo vehicle: the simulator's ${DEMO_SCENARIO} scenario, published over MQTT in real time
  --command-expiry-ms MS  a command or prediction older than this is not sent, and expires on the broker (default 100)
  --duration S       stop after S seconds
  --json             print the final statistics as one JSON object on stdout
`;

export default async function run(argv: string[], io: CliIO, deps: RunRos2Deps = {}): Promise<number> {
  // ROS arguments are not lam's options: from --ros-args to a lone -- (or the end) they go to rclnodejs.
  const { args: ownArgs, ros: rosTokens } = splitRosArgs(argv);
  const { values } = parseArgs({
    args: ownArgs,
    options: {
      ...MQTT_FLAGS,
      ...OBSERVE_FLAGS,
      vehicle: { type: "string", default: "lam" },
      codec: { type: "string", default: "msgpack" },
      model: { type: "string" },
      policy: { type: "string" },
      ...ROS2_FLAGS,
      foxglove: { type: "string" },
      record: { type: "string" },
      demo: { type: "boolean" },
      duration: { type: "string" },
      "command-expiry-ms": { type: "string" },
      json: { type: "boolean" },
      help: { type: "boolean", short: "h" },
    },
  });
  if (values.help) {
    io.stdout.write(HELP);
    return 0;
  }
  const codec = values.codec;
  if (codec !== "msgpack" && codec !== "json") throw new UsageError(`--codec ${codec}: expected msgpack or json`);
  const duration = values.duration === undefined ? undefined : Number(values.duration);
  const expiryMs = values["command-expiry-ms"] === undefined ? undefined : Number(values["command-expiry-ms"]);
  if (expiryMs !== undefined && !(expiryMs > 0 && Number.isFinite(expiryMs))) throw new UsageError(`--command-expiry-ms ${values["command-expiry-ms"]}: expected milliseconds > 0`);
  if (duration !== undefined && !(duration > 0 && Number.isFinite(duration))) throw new UsageError(`--duration ${values.duration}: expected seconds > 0`);
  const port = (flag: string, v: string | undefined): number | undefined => {
    if (v === undefined) return undefined;
    const n = Number(v);
    if (!Number.isInteger(n) || n < 0 || n > 65535) throw new UsageError(`--${flag} ${v}: expected a port 0..65535`);
    return n;
  };
  const foxglovePort = port("foxglove", values.foxglove);
  checkMqttFlags(values);
  const metricsAt = metricsPort(values);
  // Fail before anything starts: bad ROS arguments, or no sourced ROS 2.
  const ros2 = prepareRos2(values, rosTokens, deps.env ?? process.env);

  const logger = runLogger(values, (line) => void io.stderr.write(line));
  const log = (line: string): void => logger.info(line);
  // Everything started, stopped in reverse order whatever happens.
  const closers: { what: string; close: () => Promise<void> | void }[] = [];
  let interval: NodeJS.Timeout | undefined;
  let deadline: NodeJS.Timeout | undefined;
  let finish: ((why: string) => void) | undefined;
  let shutdown: ShutdownGuard | undefined;
  let closeRecorder: (() => Promise<void>) | undefined;
  let recorded = 0;
  try {
    // --demo drives the simulated robot: by default with the scene-aware robot model, which reads its path and lead.
    const model = await openModel((ros2 ? ros2.settings.model : values.model) || (values.demo ? demoModelDir() : undefined));
    const policy = await openPolicy(model.meta.spec, (ros2 ? ros2.settings.policy : values.policy) || undefined);
    const name = basename(model.dir);
    log(`model ${model.dir} (${model.meta.spec.features.length} features → ${model.meta.spec.actions.join(", ")} at ${model.meta.spec.rate} Hz), policy ${policy.name}, backend ${model.backend.name}`);

    // --record: lam replay's recorder, opened before anything starts (a bad path fails first); closed right after the
    // node's last tick (its closer sits just below the node's), or in `finally` if the start failed before that.
    const recorder = values.record === undefined ? undefined : await replayRecorder(values.record, { frameChannels: model.frameSpec.channels.map((c) => c.name), wheelbase: policy.wheelbase });
    if (recorder) {
      const path = values.record!;
      closeRecorder = async () => {
        closeRecorder = undefined;
        const r = await recorder.close();
        log(`recorded ${recorded} ticks to ${path}${r.rosCommandsSkipped ? ` (${r.rosCommandsSkipped} ROS 2 commands not representable)` : ""}`);
      };
      log(`recording to ${path}`);
    }
    const mq = await openRunMqtt(values, { vehicle: values.vehicle, codec: codec as CodecName }, log);
    const { broker } = mq;
    if (broker) closers.push({ what: "broker", close: () => broker.close() });
    // Printed and put in --json: never with a password.
    const url = mq.shownUrl;
    // The model's channels always have room under the per-vehicle channel cap; commands expire (see README "Time and safety").
    const reserved = model.frameSpec.channels.map((c) => c.name);
    const bridge = await openMqttBridge({ ...mq.node, reserved, ...(expiryMs === undefined ? {} : { expiryMs }) });
    closers.push({ what: "mqtt", close: () => bridge.close() });
    const sources: SampleSource[] = [bridge.source];
    const sinks: ActionSink[] = [bridge.sink];
    log(`MQTT ${url}: samples on lam/${values.vehicle}/in/<channel>, out on lam/${values.vehicle}/{prediction,command,status} (${codec})`);

    if (ros2) {
      const ros = await openRunRos2(ros2, deps, log);
      closers.push({ what: "ros2", close: () => ros.close() });
      sources.push(ros.source);
      sinks.push(ros.sink);
    }
    if (foxglovePort !== undefined) {
      const { startFoxgloveServer } = await import("../../bridges/foxglove/server.js");
      const fox = await startFoxgloveServer({ port: foxglovePort, frameChannels: model.frameSpec.channels.map((c) => c.name) });
      closers.push({ what: "foxglove", close: () => fox.close() });
      sinks.push(fox);
      log(`Foxglove live view on ${fox.url}`);
    }

    // The metrics read the node's own counters at scrape time; only the tick latency needs the per-tick hook.
    const metrics = metricsAt === undefined ? undefined : nodeMetrics({ stats: () => node.stats(), model: { name, sha256: model.meta.weightsSha256 } });
    const onTick =
      recorder || metrics
        ? (r: TickResult) => {
            metrics?.onTick(r);
            if (recorder) {
              recorder.onTick(r);
              recorded++;
            }
          }
        : undefined;
    if (closeRecorder) closers.push({ what: "record", close: () => closeRecorder?.() });
    const node = startLiveNode({ model, policy, sources, sinks, name, log, warn: (line) => logger.warn(line), ...(onTick ? { onTick } : {}) });
    closers.push({ what: "node", close: () => node.stop() });
    if (metrics && metricsAt !== undefined) {
      const http = await startObserveServer({ port: metricsAt, ...(values["metrics-host"] ? { host: values["metrics-host"] } : {}), registry: metrics.registry, health: () => nodeHealth(node.stats()) });
      closers.push({ what: "metrics", close: () => http.close() });
      log(`metrics on ${http.url}/metrics, health on ${http.url}/healthz`);
    }

    let demo: DemoPublisher | undefined;
    if (values.demo) {
      const drive = recordDemoDrive();
      const link = await connectMqtt({ ...mq.feeder, clientId: `lam-demo-${values.vehicle}-${process.pid}` });
      const publisher = mqttSamplePublisher(link);
      closers.push({ what: "demo link", close: () => publisher.close() });
      const started = startDemoPublisher({ drive, publish: publisher.publishSample });
      demo = started;
      closers.push({ what: "demo", close: () => started.stop() });
      const perS = drive.ticks.reduce((n, t) => n + t.samples.length, 0) / drive.duration;
      log(`demo vehicle: ${drive.scenario} (${drive.duration} s, looped), ${perS.toFixed(0)} samples/s over MQTT`);
    }

    let lastIn = 0;
    let lastAt = performance.now();
    interval = setInterval(() => {
      const s = node.stats();
      const at = performance.now();
      const rate = ((s.samples.in - lastIn) * 1000) / Math.max(1, at - lastAt);
      lastIn = s.samples.in;
      lastAt = at;
      logger.info(statusLine(s, rate), statusFields(s, rate));
    }, 1000);

    const why = await new Promise<string>((resolve) => {
      finish = resolve;
      shutdown = armShutdown({ graceMs: STOP_GRACE_MS, log, onSignal: (signal) => finish?.(signal) });
      if (duration !== undefined) deadline = setTimeout(() => resolve(`--duration ${duration}`), duration * 1000);
    });
    log(`stopping (${why})`);
    clearInterval(interval);
    interval = undefined;
    // Leave time within the grace period for the summary; what does not close by then is abandoned.
    await closeWithin(closers, STOP_GRACE_MS - 1000, log);
    const final = node.stats();
    if (values.json) {
      const demoStats = demo ? { scenario: DEMO_SCENARIO, ...demo.stats() } : null;
      io.stdout.write(JSON.stringify({ ...final, vehicle: values.vehicle, mqtt: url, codec, demo: demoStats }) + "\n");
    } else for (const line of summaryLines(final)) log(line);
    logger.flush();
    return 0;
  } finally {
    clearInterval(interval);
    clearTimeout(deadline);
    await closeWithin(closers, STOP_GRACE_MS - 1000, log);
    await closeRecorder?.().catch((e: unknown) => log(`record: ${e instanceof Error ? e.message : String(e)}`));
    shutdown?.disarm();
  }
}
