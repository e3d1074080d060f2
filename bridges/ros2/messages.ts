import type { ActionSequence } from "../../dynamics/types.js";
import { BridgeInputError, type NodeStatus } from "../codec/live.js";
import { statusToWire } from "../codec/status-wire.js";
import { nsToSeconds, secondsToNs } from "../ros/time.js";

// What lam publishes on ROS 2, as plain message objects (the shape rclnodejs publishes and CDR encodes).

export interface RosTime {
  readonly sec: number;
  readonly nanosec: number;
}

export function rosTime(t: number): RosTime {
  const ns = secondsToNs(t);
  const sec = ns / 1_000_000_000n;
  return { sec: Number(sec), nanosec: Number(ns - sec * 1_000_000_000n) };
}

export function rosTimeSeconds(stamp: RosTime): number {
  return nsToSeconds(BigInt(stamp.sec) * 1_000_000_000n + BigInt(stamp.nanosec));
}

/**
 * std_msgs/Float32MultiArray from a prediction: data = mean (horizon × channels, row-major);
 * layout.dim[0] = { label: "horizon", size: H, stride: H·C }, layout.dim[1] = { label: "steer_cmd,accel_cmd",
 * size: C, stride: C }. t0 and dt do not fit this type: use lam_msgs/ActionSequence where they matter.
 */
export function predictionToFloat32MultiArray(seq: ActionSequence): Record<string, unknown> {
  const c = seq.channels.length;
  const h = seq.mean.length / c;
  return {
    layout: {
      dim: [
        { label: "horizon", size: h, stride: h * c },
        { label: seq.channels.join(","), size: c, stride: c },
      ],
      data_offset: 0,
    },
    data: seq.mean,
  };
}

/** The mean and channel names back from a Float32MultiArray written by predictionToFloat32MultiArray. */
export function predictionFromFloat32MultiArray(msg: unknown, topic: string): { channels: string[]; horizon: number; mean: Float32Array } {
  const m = msg as { layout?: { dim?: Array<{ label: string; size: number }> }; data?: ArrayLike<number> };
  const dim = m.layout?.dim;
  if (!dim || dim.length !== 2 || dim[0]!.label !== "horizon" || !m.data)
    throw new BridgeInputError(topic, "malformed", "not a lam prediction layout (expected dims horizon × channels)");
  const channels = dim[1]!.label.split(",");
  const horizon = dim[0]!.size;
  if (channels.length !== dim[1]!.size || m.data.length !== horizon * channels.length)
    throw new BridgeInputError(topic, "malformed", `data has ${m.data.length} values, layout says ${horizon} × ${dim[1]!.size}`);
  return { channels, horizon, mean: Float32Array.from(m.data) };
}

/** lam_msgs/ActionSequence (see ACTION_SEQUENCE_MSG): the whole prediction, t0 and dt included. */
export function predictionToActionSequenceMsg(seq: ActionSequence, frameId: string): Record<string, unknown> {
  return {
    header: { stamp: rosTime(seq.t0), frame_id: frameId },
    dt: seq.dt,
    model: seq.model,
    channels: [...seq.channels],
    horizon: seq.mean.length / seq.channels.length,
    mean: seq.mean,
    std: seq.std ?? new Float32Array(0),
  };
}

const NODE_STATES: Readonly<Record<NodeStatus["state"], number>> = { starting: 0, online: 1, degraded: 2, offline: 3 };

/** lam_msgs/NodeStatus (bridges/ros2/lam_msgs/msg/NodeStatus.msg); stamped with the status's time, else `now`. */
export function statusToNodeStatusMsg(status: NodeStatus, frameId: string, now: number): Record<string, unknown> {
  return {
    header: { stamp: rosTime(status.t ?? now), frame_id: frameId },
    state: NODE_STATES[status.state],
    detail: status.detail ?? "",
    model: status.model ?? "",
  };
}

/** std_msgs/String holding the status as JSON (the same fields as the MQTT status). */
export function statusToStringMsg(status: NodeStatus): { data: string } {
  return { data: JSON.stringify(statusToWire(status)) };
}
