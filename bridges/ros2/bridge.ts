import { parseMount } from "../ros/quaternion.js";
import type { TopicInfo } from "../ros/topic-map.js";
import { diagnosticArrayMsg } from "./diagnostics.js";
import type { Ros2Node } from "./node.js";
import { DIAGNOSTICS_QOS } from "./qos.js";
import { openRclnodejsNode, type RclnodejsNodeOptions } from "./rclnodejs-node.js";
import { COMMAND_TYPES, PREDICTION_TYPES, STATUS_TYPES, parameterSpecs, parseInputTopic, settingsFrom, type Ros2ParamSpec, type Ros2Settings } from "./settings.js";
import { ros2ActionSink, type Ros2ActionSink, type Ros2SinkOptions } from "./sink.js";
import { ros2SampleSource, type Ros2SampleSource, type Ros2SourceOptions } from "./source.js";

export interface Ros2Bridge {
  readonly node: Ros2Node;
  /** What the node runs with: the declared parameters' values after the command line's overrides. */
  readonly settings: Ros2Settings;
  readonly source: Ros2SampleSource;
  readonly sink: Ros2ActionSink;
  /** Publishes one diagnostic_msgs/DiagnosticArray now (the timer calls it every diagnostic_period). */
  publishDiagnostics(): void;
  /** Publishes "offline", drops the subscriptions and publishers, destroys the node. */
  close(): Promise<void>;
}

export interface Ros2BridgeOptions extends Omit<Ros2SourceOptions, "topics">, RclnodejsNodeOptions {
  /** The parameters to declare, CLI flags as their defaults (default: parameterSpecs()). */
  readonly parameters?: readonly Ros2ParamSpec[];
  /** Topics to read instead of the input_topics parameter. */
  readonly topics?: readonly TopicInfo[];
  /** Sink options over those the parameters give. */
  readonly sink?: Ros2SinkOptions;
  /** Another Ros2Node than rclnodejs (the default is openRclnodejsNode, which needs a sourced ROS 2). */
  readonly rosNode?: Ros2Node;
  /** Timer for diagnostics (default setInterval, unref'd); returns a cancel. */
  readonly every?: (ms: number, fn: () => void) => () => void;
}

const defaultEvery = (ms: number, fn: () => void): (() => void) => {
  const h = setInterval(fn, ms);
  h.unref?.();
  return () => clearInterval(h);
};

/** A node's ROS 2 side in one call. Throws Ros2UnavailableError (naming ROS_DISTRO) where ROS 2 is absent. */
export async function openRos2Bridge(opts: Ros2BridgeOptions = {}): Promise<Ros2Bridge> {
  const node = opts.rosNode ?? (await openRclnodejsNode(opts));
  let source: Ros2SampleSource | undefined;
  try {
    const specs = opts.parameters ?? parameterSpecs();
    const settings = settingsFrom(specs, node.declareParameters?.(specs) ?? new Map());
    const imuMount = opts.imuMount ?? (settings.imu_mount ? parseMount(settings.imu_mount) : undefined);
    source = ros2SampleSource(node, {
      ...opts,
      topics: opts.topics ?? settings.input_topics.map(parseInputTopic),
      ...(imuMount ? { imuMount } : {}),
    });
    const src = source;
    const sink = ros2ActionSink(node, {
      commandTopic: settings.command_topic,
      commandType: COMMAND_TYPES[settings.command_type] as Ros2SinkOptions["commandType"],
      predictionTopic: settings.prediction_topic,
      predictionType: PREDICTION_TYPES[settings.prediction_type] as Ros2SinkOptions["predictionType"],
      statusTopic: settings.status_topic,
      statusType: STATUS_TYPES[settings.status_type] as Ros2SinkOptions["statusType"],
      frameId: settings.frame_id,
      accelHorizon: settings.accel_horizon,
      ...(settings.wheelbase > 0 ? { wheelbase: settings.wheelbase } : {}),
      measuredSpeed: () => src.measuredSpeed(),
      ...opts.sink,
    });
    const diagnostics = node.createPublisher("/diagnostics", "diagnostic_msgs/msg/DiagnosticArray", DIAGNOSTICS_QOS);
    const nodeName = (node.fullName ?? "lam").split("/").pop() || "lam";
    const publishDiagnostics = (): void => {
      try {
        const status = sink.lastStatus();
        const cmd = sink.lastCommand();
        diagnostics.publish(
          diagnosticArrayMsg({
            node: nodeName,
            hardwareId: settings.vehicle,
            now: node.now(),
            ...(status ? { status } : {}),
            ...(cmd ? { lastCommand: cmd } : {}),
            commands: sink.stats(),
            inputs: src.inputs(),
            sourceStats: src.stats(),
          }),
        );
      } catch {
        // A failed diagnostics publish must not take the node down; the next period tries again.
      }
    };
    const stopTimer = (opts.every ?? defaultEvery)(settings.diagnostic_period * 1000, publishDiagnostics);
    return {
      node,
      settings,
      source: src,
      sink,
      publishDiagnostics,
      async close() {
        stopTimer();
        await src.close();
        await sink.close();
        diagnostics.close();
        await node.close();
      },
    };
  } catch (err) {
    await source?.close();
    await node.close();
    throw err;
  }
}
