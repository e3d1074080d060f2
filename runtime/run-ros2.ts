import { readFileSync } from "node:fs";
import { RosArgsError, parseRosArgs, type RosArgs } from "../bridges/ros2/ros-args.js";
import { Ros2SettingsError, parameterSpecs, parseInputTopic, settingsFrom, type Ros2ParamSpec, type Ros2Settings } from "../bridges/ros2/settings.js";
import type { Ros2Bridge } from "../bridges/ros2/bridge.js";
import type { Ros2SinkOptions } from "../bridges/ros2/sink.js";
import { parseMount } from "../bridges/ros/quaternion.js";
import { UsageError } from "./io.js";

// `lam run --ros2 … --ros-args …`: the CLI flags become the ROS parameters' defaults, the ROS arguments
// (parsed here for what is needed before the node exists: the model) go to rclnodejs unchanged, and the
// node runs with what its declared parameters say.

export const ROS2_FLAGS = {
  ros2: { type: "boolean" },
  "ros2-topic": { type: "string", multiple: true },
  "ros2-command": { type: "string" },
  wheelbase: { type: "string" },
  "imu-mount": { type: "string" },
} as const;

export const ROS2_HELP = `  --ros2             also read samples from and publish to ROS 2 (needs a sourced ROS 2: ROS_DISTRO and rclnodejs)
  --ros2-topic T=TY  a ROS 2 topic to read and its type (repeatable; default imu, odom, drive: relative, so namespaced)
  --ros2-command K   command type: ackermann (default), twist or autoware_control
  --wheelbase M      m, for twist commands from a steering model
  --imu-mount M      the IMU's rotation in base_link: roll,pitch,yaw (rad or NNdeg) or x,y,z,w (default: /tf_static)
  --ros-args ... [--] ROS 2 arguments, passed to rclnodejs: -r __ns:=/car1, -r __node:=name, -r from:=to,
                     -p name:=value, --params-file FILE. The node's ROS parameters (ros2 param list) default
                     to the flags above: model, policy, vehicle, command_type, command_topic, input_topics,
                     prediction_topic/_type, status_topic/_type, wheelbase, frame_id, imu_mount, use_sim_time
`;

export interface RunRos2Deps {
  /** Where ROS_DISTRO is read (default process.env). */
  readonly env?: Readonly<Record<string, string | undefined>>;
  /** How rclnodejs is loaded (tests pass a fake that implements rclnodejs's types). */
  readonly importModule?: (specifier: string) => Promise<unknown>;
}

export interface PreparedRos2 {
  readonly args: RosArgs;
  readonly specs: readonly Ros2ParamSpec[];
  /** As the ROS arguments give them; the node's declared parameters have the last word. */
  readonly settings: Ros2Settings;
}

export interface Ros2Values {
  readonly ros2?: boolean;
  readonly "ros2-topic"?: string[];
  readonly "ros2-command"?: string;
  readonly wheelbase?: string;
  readonly "imu-mount"?: string;
  readonly model?: string;
  readonly policy?: string;
  readonly vehicle?: string;
}

function checkTopicFlag(spec: string): string {
  try {
    parseInputTopic(spec);
  } catch {
    throw new UsageError(`--ros2-topic ${spec}: expected /topic=package/msg/Type or a relative topic=package/msg/Type (e.g. imu=sensor_msgs/msg/Imu, namespaced by __ns)`);
  }
  return spec;
}

/** Checks the ROS flags and arguments before anything starts; undefined without --ros2. */
export function prepareRos2(values: Ros2Values, rosTokens: readonly string[], env: Readonly<Record<string, string | undefined>>): PreparedRos2 | undefined {
  if (!values.ros2) {
    for (const f of ["ros2-topic", "ros2-command", "wheelbase", "imu-mount"] as const) if (values[f] !== undefined) throw new UsageError(`--${f} needs --ros2`);
    if (rosTokens.length > 0) throw new UsageError("--ros-args needs --ros2");
    return undefined;
  }
  const wheelbase = values.wheelbase === undefined ? undefined : Number(values.wheelbase);
  if (wheelbase !== undefined && !(wheelbase > 0 && Number.isFinite(wheelbase))) throw new UsageError(`--wheelbase ${values.wheelbase}: expected metres > 0`);
  if (values["imu-mount"] !== undefined) {
    try {
      parseMount(values["imu-mount"]);
    } catch (e) {
      throw new UsageError(`--imu-mount ${values["imu-mount"]}: ${(e as Error).message}`);
    }
  }
  try {
    const specs = parameterSpecs({
      ...(values.model !== undefined ? { model: values.model } : {}),
      ...(values.policy !== undefined ? { policy: values.policy } : {}),
      ...(values.vehicle !== undefined ? { vehicle: values.vehicle } : {}),
      ...(values["ros2-command"] !== undefined ? { command_type: values["ros2-command"] } : {}),
      ...(values["ros2-topic"] !== undefined ? { input_topics: values["ros2-topic"].map(checkTopicFlag) } : {}),
      ...(wheelbase !== undefined ? { wheelbase } : {}),
      ...(values["imu-mount"] !== undefined ? { imu_mount: values["imu-mount"] } : {}),
    });
    const args = parseRosArgs(rosTokens, "lam", (p) => readFileSync(p, "utf8"));
    const settings = settingsFrom(specs, args.params);
    if (settings.imu_mount) parseMount(settings.imu_mount);
    if (!env.ROS_DISTRO)
      throw new Error("--ros2: ROS_DISTRO is not set. Source a ROS 2 install (e.g. `source /opt/ros/humble/setup.bash`) and install rclnodejs there (`npm i rclnodejs`).");
    return { args, specs, settings };
  } catch (e) {
    if (e instanceof RosArgsError || e instanceof Ros2SettingsError) throw new UsageError(e.message);
    throw e;
  }
}

/** How lam replay and lam sim open the node: publishing only (their samples come from files or the simulator). */
export interface Ros2SinkOnly {
  /** Over the sink options the parameters give (e.g. where the measured speed comes from). */
  readonly sink: Ros2SinkOptions;
}

/**
 * Opens the ROS 2 side; the log line names the resolved topics (namespace and remaps applied). With `sinkOnly` the
 * node subscribes to nothing and only publishes (commands, predictions, status, /diagnostics).
 */
export async function openRunRos2(p: PreparedRos2, deps: RunRos2Deps, log: (line: string) => void, sinkOnly?: Ros2SinkOnly): Promise<Ros2Bridge> {
  // Loaded only here: the ROS 2 bridge pulls in rclnodejs, which only works in a sourced ROS 2 shell.
  const { openRos2Bridge } = await import("../bridges/ros2/bridge.js");
  const ros = await openRos2Bridge({
    parameters: p.specs,
    rosArgs: p.args.tokens,
    ...(deps.env ? { env: deps.env } : {}),
    ...(deps.importModule ? { importModule: deps.importModule } : {}),
    ...(sinkOnly ? { sink: sinkOnly.sink, topics: [] } : {}),
  });
  const s = ros.settings;
  const at = (t: string): string => ros.node.resolveTopic?.(t) ?? t;
  log(
    `ROS 2 node ${ros.node.fullName ?? "lam"}: ${sinkOnly ? "publishing only" : `reading ${s.input_topics.map((t) => at(parseInputTopic(t).topic)).join(", ")}`}; ` +
      `${s.command_type} commands on ${at(s.command_topic)}, predictions on ${at(s.prediction_topic)}, status on ${at(s.status_topic)}, /diagnostics every ${s.diagnostic_period} s`,
  );
  if (s.model !== p.settings.model || s.policy !== p.settings.policy)
    log(`warning: the node's parameters say model=${s.model} policy=${s.policy}, the command line ${p.settings.model} ${p.settings.policy}; running the command line's`);
  return ros;
}
