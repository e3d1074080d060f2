import type { ActionSequence } from "../../dynamics/types.js";
import type { Command } from "../../policy/types.js";
import { BridgeInputError, type ActionSink, type NodeStatus } from "../codec/live.js";
import { BridgeCounters } from "../codec/stats.js";
import { CommandShaper, commandMsg, type Measured, type Ros2CommandType } from "./commands.js";
import { predictionToActionSequenceMsg, predictionToFloat32MultiArray, statusToNodeStatusMsg, statusToStringMsg } from "./messages.js";
import type { Ros2Node, Ros2Publisher } from "./node.js";
import { COMMAND_QOS, PREDICTION_QOS, STATUS_QOS } from "./qos.js";

export type { Ros2CommandType } from "./commands.js";
export type Ros2PredictionType = "std_msgs/msg/Float32MultiArray" | "lam_msgs/msg/ActionSequence";
export type Ros2StatusType = "std_msgs/msg/String" | "lam_msgs/msg/NodeStatus";

export interface Ros2SinkOptions {
  /** Default "ackermann_cmd" (relative: the node's namespace applies). */
  readonly commandTopic?: string;
  readonly commandType?: Ros2CommandType;
  readonly predictionTopic?: string;
  /** Float32MultiArray (default) works everywhere; ActionSequence carries t0/dt/std but needs lam_msgs built. */
  readonly predictionType?: Ros2PredictionType;
  readonly statusTopic?: string;
  readonly statusType?: Ros2StatusType;
  readonly frameId?: string;
  /** Needed for Twist commands from a car-like (steer_cmd) model. */
  readonly wheelbase?: number;
  /** s; see CommandShaper. */
  readonly accelHorizon?: number;
  /** The latest measured speed: an accel_cmd model's speed target is integrated from it. */
  readonly measuredSpeed?: () => Measured | undefined;
}

/** An ActionSink that also tells what it last published (for diagnostics). */
export interface Ros2ActionSink extends ActionSink {
  lastCommand(): { t: number; mode: Command["mode"]; limits: readonly string[]; publishedAt: number } | undefined;
  lastStatus(): NodeStatus | undefined;
}

/** Commands, predictions and status onto ROS 2 topics. Publishing never throws: failures are counted. */
export function ros2ActionSink(node: Ros2Node, opts: Ros2SinkOptions = {}): Ros2ActionSink {
  const commandTopic = opts.commandTopic ?? "ackermann_cmd";
  const commandType = opts.commandType ?? "ackermann_msgs/msg/AckermannDriveStamped";
  const predictionTopic = opts.predictionTopic ?? "lam/prediction";
  const predictionType = opts.predictionType ?? "std_msgs/msg/Float32MultiArray";
  const statusTopic = opts.statusTopic ?? "lam/status";
  const statusType = opts.statusType ?? "std_msgs/msg/String";
  const frameId = opts.frameId ?? "base_link";
  const counters = new BridgeCounters();
  counters.connected = true;
  const shaper = new CommandShaper({ ...(opts.accelHorizon === undefined ? {} : { accelHorizon: opts.accelHorizon }), ...(opts.wheelbase === undefined ? {} : { wheelbase: opts.wheelbase }) });
  let last: ReturnType<Ros2ActionSink["lastCommand"]>;
  let lastStatus: NodeStatus | undefined;

  const publishers: Ros2Publisher[] = [];
  const publisher = (topic: string, type: string, qos: typeof COMMAND_QOS): Ros2Publisher => {
    const p = node.createPublisher(topic, type, qos);
    publishers.push(p);
    return p;
  };
  const command = publisher(commandTopic, commandType, COMMAND_QOS);
  const prediction = publisher(predictionTopic, predictionType, PREDICTION_QOS);
  const status = publisher(statusTopic, statusType, STATUS_QOS);
  let closed = false;

  const send = (topic: string, pub: Ros2Publisher, make: () => Record<string, unknown>): boolean => {
    if (closed) return false;
    counters.received++;
    try {
      pub.publish(make());
      counters.accepted++;
      return true;
    } catch (err) {
      counters.reject(err instanceof BridgeInputError ? err : new BridgeInputError(topic, "publish_failed", (err as Error).message));
      return false;
    }
  };
  const statusMsg = (s: NodeStatus) => (statusType === "lam_msgs/msg/NodeStatus" ? statusToNodeStatusMsg(s, frameId, node.now()) : statusToStringMsg(s));

  return {
    publishCommand(cmd: Command) {
      const ok = send(commandTopic, command, () =>
        commandMsg(commandType, shaper.shape(cmd, opts.measuredSpeed?.(), commandTopic), frameId, opts.wheelbase, commandTopic),
      );
      if (ok) last = { t: cmd.t, mode: cmd.mode, limits: cmd.limits, publishedAt: node.now() };
    },
    publishPrediction(seq: ActionSequence) {
      send(predictionTopic, prediction, () =>
        predictionType === "lam_msgs/msg/ActionSequence" ? predictionToActionSequenceMsg(seq, frameId) : predictionToFloat32MultiArray(seq),
      );
    },
    publishStatus(s: NodeStatus) {
      lastStatus = s;
      send(statusTopic, status, () => statusMsg(s));
    },
    lastCommand: () => last,
    lastStatus: () => lastStatus,
    stats: () => counters.snapshot(),
    async close() {
      if (closed) return;
      send(statusTopic, status, () => statusMsg({ state: "offline", t: node.now(), detail: "closed" }));
      closed = true;
      counters.connected = false;
      for (const p of publishers) p.close();
    },
  };
}
