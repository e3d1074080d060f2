import type { ActionSequence } from "../../dynamics/types.js";
import type { Command } from "../../policy/types.js";
import { BridgeInputError, type ActionSink, type NodeStatus } from "../codec/live.js";
import { BridgeCounters } from "../codec/stats.js";
import {
  commandToAckermann,
  commandToTwist,
  predictionToActionSequenceMsg,
  predictionToFloat32MultiArray,
  statusToStringMsg,
} from "./messages.js";
import type { Ros2Node, Ros2Publisher } from "./node.js";
import { COMMAND_QOS, PREDICTION_QOS, STATUS_QOS } from "./qos.js";

export type Ros2CommandType = "ackermann_msgs/msg/AckermannDriveStamped" | "geometry_msgs/msg/Twist";
export type Ros2PredictionType = "std_msgs/msg/Float32MultiArray" | "lam_msgs/msg/ActionSequence";

export interface Ros2SinkOptions {
  readonly commandTopic?: string;
  readonly commandType?: Ros2CommandType;
  readonly predictionTopic?: string;
  /** Float32MultiArray (default) works everywhere; ActionSequence carries t0/dt but needs lam_msgs built. */
  readonly predictionType?: Ros2PredictionType;
  readonly statusTopic?: string;
  readonly frameId?: string;
  /** Needed for Twist commands from a car-like (steer_cmd) model. */
  readonly wheelbase?: number;
}

/** Commands, predictions and status onto ROS 2 topics. Publishing never throws: failures are counted. */
export function ros2ActionSink(node: Ros2Node, opts: Ros2SinkOptions = {}): ActionSink {
  const commandTopic = opts.commandTopic ?? "/lam/command";
  const commandType = opts.commandType ?? "ackermann_msgs/msg/AckermannDriveStamped";
  const predictionTopic = opts.predictionTopic ?? "/lam/prediction";
  const predictionType = opts.predictionType ?? "std_msgs/msg/Float32MultiArray";
  const statusTopic = opts.statusTopic ?? "/lam/status";
  const frameId = opts.frameId ?? "base_link";
  const counters = new BridgeCounters();
  counters.connected = true;

  const publishers: Ros2Publisher[] = [];
  const publisher = (topic: string, type: string, qos: typeof COMMAND_QOS): Ros2Publisher => {
    const p = node.createPublisher(topic, type, qos);
    publishers.push(p);
    return p;
  };
  const command = publisher(commandTopic, commandType, COMMAND_QOS);
  const prediction = publisher(predictionTopic, predictionType, PREDICTION_QOS);
  const status = publisher(statusTopic, "std_msgs/msg/String", STATUS_QOS);
  let closed = false;

  const send = (topic: string, pub: Ros2Publisher, make: () => Record<string, unknown>): void => {
    if (closed) return;
    counters.received++;
    try {
      pub.publish(make());
      counters.accepted++;
    } catch (err) {
      counters.reject(err instanceof BridgeInputError ? err : new BridgeInputError(topic, "publish_failed", (err as Error).message));
    }
  };

  return {
    publishCommand(cmd: Command) {
      send(commandTopic, command, () =>
        commandType === "geometry_msgs/msg/Twist" ? commandToTwist(cmd, opts.wheelbase, commandTopic) : commandToAckermann(cmd, frameId, commandTopic),
      );
    },
    publishPrediction(seq: ActionSequence) {
      send(predictionTopic, prediction, () =>
        predictionType === "lam_msgs/msg/ActionSequence" ? predictionToActionSequenceMsg(seq, frameId) : predictionToFloat32MultiArray(seq),
      );
    },
    publishStatus(s: NodeStatus) {
      send(statusTopic, status, () => statusToStringMsg(s));
    },
    stats: () => counters.snapshot(),
    async close() {
      if (closed) return;
      send(statusTopic, status, () => statusToStringMsg({ state: "offline", t: node.now(), detail: "closed" }));
      closed = true;
      counters.connected = false;
      for (const p of publishers) p.close();
    },
  };
}
