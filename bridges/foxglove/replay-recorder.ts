import type { ActionSequence } from "../../dynamics/types.js";
import type { TickResult } from "../../pipeline/decider.js";
import { Validity, type Frame } from "../../perception/types.js";
import { McapSink } from "../mcap/writer.js";
import { secondsToNs } from "../ros/time.js";
import { CommandShaper, commandMsg, type Measured, type Ros2CommandType } from "../ros2/commands.js";
import { rosTime, predictionToFloat32MultiArray } from "../ros2/messages.js";
import { definitionOf } from "../ros2/msg-defs.js";
import { frameMessage, predictionMessage } from "./messages.js";
import { COMMAND_SCHEMA, FRAME_SCHEMA, LOG_SCHEMA, POSE_IN_FRAME_SCHEMA, POSES_IN_FRAME_SCHEMA, PREDICTION_SCHEMA } from "./schemas.js";

// The MCAP a replay (or sim run) leaves: lam's JSON channels (what lam reads back as a drive and what the
// Plot panel addresses by channel name), the ROS 2 messages the live node publishes (ros2msg + CDR, so
// `ros2 bag play` can publish them), Foxglove well-known schemas for the 3D and Log panels, zstd chunks.

export const REPLAY_TOPICS = {
  frame: "/lam/frame",
  prediction: "/lam/prediction",
  command: "/lam/command",
  log: "/lam/log",
  poses: "/lam/predicted_poses",
  vehiclePose: "/lam/vehicle_pose",
  rosCommand: "/ackermann_cmd",
  rosTwist: "/cmd_vel",
  rosPrediction: "/lam/prediction_array",
  rosPath: "/lam/predicted_path",
} as const;

export interface ReplayRecorderOptions {
  /** The frame's channel names (frame.values order). */
  readonly frameChannels: readonly string[];
  /** m: the kinematic bicycle's wheelbase for the predicted path of a steering model (the policy's). */
  readonly wheelbase: number;
  /** Frame id of commands and the predicted path (default base_link). */
  readonly frameId?: string;
  /** Chunk compression (default zstd). */
  readonly compression?: "none" | "zstd";
  /** Frame id of the vehicle pose channel (/lam/vehicle_pose), written only when given (lam sim: "world"). */
  readonly poseFrameId?: string;
}

/** Where the vehicle was at a tick (rear axle, rad), when something knows it (the simulator). */
export interface VehiclePose {
  /** s on the recording's clock (the simulator's tick time, which a control rate above the frame rate puts between frames). */
  readonly t: number;
  readonly x: number;
  readonly y: number;
  readonly heading: number;
}

export interface ReplayRecorder {
  /** `pose`: the vehicle's pose at the tick, written only where the recorder has a pose channel (poseFrameId). */
  onTick(r: TickResult, pose?: VehiclePose): void;
  /** Flushes and closes the file; throws naming the file if any write failed. */
  close(): Promise<{ rosCommandsSkipped: number }>;
}

/**
 * The predicted path in the vehicle frame at t0: speed from speed_cmd (or the measured speed integrated by
 * accel_cmd), yaw rate from yaw_rate_cmd or v·tan(steer)/wheelbase, integrated step by step.
 */
export function predictedPoses(seq: ActionSequence, speed: number | undefined, wheelbase: number): { x: number; y: number; yaw: number }[] {
  const c = seq.channels.length;
  const col = (name: string): number => seq.channels.indexOf(name);
  const [iv, ia, is, iy] = [col("speed_cmd"), col("accel_cmd"), col("steer_cmd"), col("yaw_rate_cmd")];
  let v = speed ?? 0;
  let x = 0;
  let y = 0;
  let yaw = 0;
  const out = [{ x, y, yaw }];
  for (let k = 0; k < seq.mean.length / c; k++) {
    if (iv >= 0) v = seq.mean[k * c + iv]!;
    else if (ia >= 0) v = Math.max(0, v + seq.mean[k * c + ia]! * seq.dt);
    const rate = iy >= 0 ? seq.mean[k * c + iy]! : is >= 0 ? (v * Math.tan(seq.mean[k * c + is]!)) / wheelbase : 0;
    yaw += rate * seq.dt;
    x += v * Math.cos(yaw) * seq.dt;
    y += v * Math.sin(yaw) * seq.dt;
    if (!Number.isFinite(x + y + yaw)) break;
    out.push({ x, y, yaw });
  }
  return out;
}

const quat = (yaw: number) => ({ x: 0, y: 0, z: Math.sin(yaw / 2), w: Math.cos(yaw / 2) });
const foxTime = (t: number) => {
  const r = rosTime(t);
  return { sec: r.sec, nsec: r.nanosec };
};

function measuredSpeed(frame: Frame, index: number): Measured | undefined {
  if (index < 0 || frame.valid[index] === Validity.Missing) return undefined;
  const v = frame.values[index]!;
  return Number.isFinite(v) ? { t: frame.t, value: v } : undefined;
}

export async function replayRecorder(path: string, opts: ReplayRecorderOptions): Promise<ReplayRecorder> {
  const frameId = opts.frameId ?? "base_link";
  const sink = await McapSink.create(path, { compression: opts.compression ?? "zstd" });
  const T = REPLAY_TOPICS;
  const frameCh = await sink.addJsonChannel(T.frame, "lam.Frame", FRAME_SCHEMA);
  const predCh = await sink.addJsonChannel(T.prediction, "lam.ActionSequence", PREDICTION_SCHEMA);
  const cmdCh = await sink.addJsonChannel(T.command, "lam.Command", COMMAND_SCHEMA);
  const logCh = await sink.addJsonChannel(T.log, "foxglove.Log", LOG_SCHEMA);
  const posesCh = await sink.addJsonChannel(T.poses, "foxglove.PosesInFrame", POSES_IN_FRAME_SCHEMA);
  // The node's command type for this model: steering models Ackermann, yaw-rate (differential) ones TwistStamped.
  const steering = opts.frameChannels.includes("steer_cmd");
  const rosType: Ros2CommandType = steering ? "ackermann_msgs/msg/AckermannDriveStamped" : "geometry_msgs/msg/TwistStamped";
  const rosCmdCh = await sink.addRos2Channel(steering ? T.rosCommand : T.rosTwist, rosType, definitionOf(rosType));
  const rosPredCh = await sink.addRos2Channel(T.rosPrediction, "std_msgs/msg/Float32MultiArray", definitionOf("std_msgs/msg/Float32MultiArray"));
  const rosPathCh = await sink.addRos2Channel(T.rosPath, "nav_msgs/msg/Path", definitionOf("nav_msgs/msg/Path"));
  // Added last, and only when asked: a replay's file keeps its bytes.
  const poseCh = opts.poseFrameId === undefined ? undefined : await sink.addJsonChannel(T.vehiclePose, "foxglove.PoseInFrame", POSE_IN_FRAME_SCHEMA);
  const speedIndex = opts.frameChannels.indexOf("speed");
  const shaper = new CommandShaper({ wheelbase: opts.wheelbase });
  let failure: unknown;
  let skipped = 0;
  let lastMode: string | undefined;
  const keep = (p: Promise<void>) => void p.catch((e: unknown) => (failure ??= e));

  return {
    onTick(r: TickResult, pose?: VehiclePose) {
      // Log time is the frame's time on the drive's clock: the file's bytes never depend on when it was made.
      const t = secondsToNs(r.frame.t);
      const stamp = rosTime(r.frame.t);
      keep(sink.write(frameCh, t, frameMessage(r.frame, opts.frameChannels)));
      keep(sink.write(cmdCh, t, r.command));
      const speed = measuredSpeed(r.frame, speedIndex);
      try {
        keep(sink.write(rosCmdCh, t, commandMsg(rosType, shaper.shape(r.command, speed, T.rosCommand), frameId, opts.wheelbase, T.rosCommand)));
      } catch {
        // A command the node could not publish either (e.g. accel_cmd before any speed): the JSON one stays.
        skipped++;
      }
      if (r.prediction) {
        keep(sink.write(predCh, t, predictionMessage(r.prediction)));
        keep(sink.write(rosPredCh, t, predictionToFloat32MultiArray(r.prediction)));
        const poses = predictedPoses(r.prediction, speed?.value, opts.wheelbase);
        keep(sink.write(posesCh, t, { timestamp: foxTime(r.frame.t), frame_id: frameId, poses: poses.map((p) => ({ position: { x: p.x, y: p.y, z: 0 }, orientation: quat(p.yaw) })) }));
        keep(
          sink.write(rosPathCh, t, {
            header: { stamp, frame_id: frameId },
            poses: poses.map((p, k) => ({ header: { stamp: rosTime(r.prediction!.t0 + k * r.prediction!.dt), frame_id: frameId }, pose: { position: { x: p.x, y: p.y, z: 0 }, orientation: quat(p.yaw) } })),
          }),
        );
      }
      if (poseCh !== undefined && pose)
        keep(sink.write(poseCh, secondsToNs(pose.t), { timestamp: foxTime(pose.t), frame_id: opts.poseFrameId!, pose: { position: { x: pose.x, y: pose.y, z: 0 }, orientation: quat(pose.heading) } }));
      const changed = r.command.mode !== lastMode;
      if (changed || r.command.limits.length > 0) {
        const why = r.why.reason ? ` (${r.why.reason})` : "";
        const message = changed ? `mode ${r.command.mode}${why}${r.command.limits.length ? `; limits ${r.command.limits.join(", ")}` : ""}` : `limits ${r.command.limits.join(", ")}`;
        keep(sink.write(logCh, t, { timestamp: foxTime(r.frame.t), level: r.command.mode === "model" ? (changed ? 2 : 1) : 3, message, name: "lam", file: "", line: 0 }));
      }
      lastMode = r.command.mode;
    },
    async close() {
      await sink.close();
      if (failure) throw new Error(`${path}: ${failure instanceof Error ? failure.message : String(failure)}`);
      return { rosCommandsSkipped: skipped };
    },
  };
}
