import type { Command } from "../../policy/types.js";
import { BridgeInputError } from "../codec/live.js";
import { rosTime } from "./messages.js";

// One command in the shape every ROS command type needs, whatever the model's action channels are:
// a steering angle and its rate, a speed target and the acceleration (and jerk) that go with it.

export type Ros2CommandType =
  | "ackermann_msgs/msg/AckermannDriveStamped"
  | "geometry_msgs/msg/Twist"
  | "geometry_msgs/msg/TwistStamped"
  | "autoware_control_msgs/msg/Control";

export const ROS2_COMMAND_TYPES: readonly Ros2CommandType[] = [
  "ackermann_msgs/msg/AckermannDriveStamped",
  "geometry_msgs/msg/Twist",
  "geometry_msgs/msg/TwistStamped",
  "autoware_control_msgs/msg/Control",
];

/** A measured value and its time (source clock, s). */
export interface Measured {
  readonly t: number;
  readonly value: number;
}

export interface ShapeOptions {
  /** s a speed target looks ahead when it is integrated from accel_cmd (default 0.5). */
  readonly accelHorizon?: number;
  /** A measured speed older than this (s, vs the command's time) is not used (default 1). */
  readonly maxSpeedAge?: number;
  /** m, for a yaw rate from a steering angle (Twist) and back. */
  readonly wheelbase?: number;
}

export interface ShapedCommand {
  readonly t: number;
  /** Road-wheel angle, rad (+ = left); undefined for a yaw-rate (differential-drive) model. */
  readonly steer?: number;
  /** rad/s, from the previous command; undefined on the first one or after a gap. */
  readonly steerRate?: number;
  /** m/s */
  readonly speed: number;
  /** m/s², signed; undefined when neither the model nor the measured speed gives one. */
  readonly accel?: number;
  readonly jerk?: number;
  /** rad/s, a yaw-rate model's own command. */
  readonly yawRate?: number;
}

function value(cmd: Command, channel: string, topic: string): number | undefined {
  const v = cmd.values[channel];
  if (v === undefined) return undefined;
  if (!Number.isFinite(v)) throw new BridgeInputError(`${topic}@values.${channel}`, "nonfinite", `${channel}=${v}`);
  return v;
}

/** Rates are taken over at most this gap (s); after a longer one the previous command says nothing. */
const MAX_RATE_GAP = 1;

/**
 * Turns each Command into a ShapedCommand, remembering the previous one for steering rate and jerk. For an
 * acceleration model (steer_cmd + accel_cmd, the bundled car model) the speed target is the measured speed
 * plus accel_cmd over the look-ahead, never through zero into reverse: that is the speed a speed-tracking
 * low-level controller needs to produce that acceleration. A speed model's acceleration is what takes the
 * measured speed to speed_cmd over the same look-ahead. Throws BridgeInputError naming what is missing.
 */
export class CommandShaper {
  #prev: { t: number; steer?: number; accel?: number } | undefined;

  constructor(private readonly opts: ShapeOptions = {}) {}

  shape(cmd: Command, speed: Measured | undefined, topic: string): ShapedCommand {
    const horizon = this.opts.accelHorizon ?? 0.5;
    const maxAge = this.opts.maxSpeedAge ?? 1;
    const steer = value(cmd, "steer_cmd", topic);
    const yawRate = value(cmd, "yaw_rate_cmd", topic);
    const speedCmd = value(cmd, "speed_cmd", topic);
    const accelCmd = value(cmd, "accel_cmd", topic);
    const measured = speed && Number.isFinite(speed.value) && Math.abs(cmd.t - speed.t) <= maxAge ? speed.value : undefined;
    if (steer === undefined && yawRate === undefined)
      throw new BridgeInputError(`${topic}@values`, "malformed", `command has neither steer_cmd nor yaw_rate_cmd (has: ${Object.keys(cmd.values).join(", ") || "nothing"})`);

    let target: number;
    let accel: number | undefined = accelCmd;
    if (speedCmd !== undefined) {
      target = speedCmd;
      if (accel === undefined && measured !== undefined) accel = (speedCmd - measured) / horizon;
    } else if (accelCmd !== undefined) {
      if (measured === undefined) {
        const why = speed === undefined ? "no speed has been received" : `the last speed is ${(cmd.t - speed.t).toFixed(2)} s from the command`;
        throw new BridgeInputError(`${topic}@values.accel_cmd`, "malformed", `accel_cmd needs a measured speed to become a speed target, and ${why}`);
      }
      const v = measured + accelCmd * horizon;
      // Braking stops the car; it does not command reverse (nor does throttle in reverse command forward).
      target = measured >= 0 ? Math.max(0, v) : Math.min(0, v);
    } else {
      throw new BridgeInputError(`${topic}@values`, "malformed", `command has neither speed_cmd nor accel_cmd (has: ${Object.keys(cmd.values).join(", ")})`);
    }

    const prev = this.#prev;
    const dt = prev ? cmd.t - prev.t : 0;
    const fresh = prev !== undefined && dt > 0 && dt <= MAX_RATE_GAP;
    const steerRate = fresh && steer !== undefined && prev.steer !== undefined ? (steer - prev.steer) / dt : undefined;
    const jerk = fresh && accel !== undefined && prev.accel !== undefined ? (accel - prev.accel) / dt : undefined;
    this.#prev = { t: cmd.t, ...(steer === undefined ? {} : { steer }), ...(accel === undefined ? {} : { accel }) };
    return {
      t: cmd.t,
      speed: target,
      ...(steer === undefined ? {} : { steer }),
      ...(steerRate === undefined ? {} : { steerRate }),
      ...(accel === undefined ? {} : { accel }),
      ...(jerk === undefined ? {} : { jerk }),
      ...(yawRate === undefined ? {} : { yawRate }),
    };
  }
}

function needSteer(c: ShapedCommand, topic: string, type: string): number {
  if (c.steer === undefined)
    throw new BridgeInputError(`${topic}@values`, "malformed", `${type} needs a steering angle and the model commands yaw_rate_cmd: use command_type twist`);
  return c.steer;
}

/**
 * ackermann_msgs/AckermannDriveStamped. The convention: speed is the target, acceleration and jerk are
 * magnitudes (limits for reaching it; 0 = "as fast as possible"), steering_angle_velocity likewise.
 */
export function ackermannMsg(c: ShapedCommand, frameId: string, topic: string): Record<string, unknown> {
  return {
    header: { stamp: rosTime(c.t), frame_id: frameId },
    drive: {
      steering_angle: needSteer(c, topic, "AckermannDriveStamped"),
      steering_angle_velocity: Math.abs(c.steerRate ?? 0),
      speed: c.speed,
      acceleration: Math.abs(c.accel ?? 0),
      jerk: Math.abs(c.jerk ?? 0),
    },
  };
}

/** geometry_msgs/Twist: linear.x the speed target; angular.z yaw_rate_cmd, or v·tan(steer)/wheelbase (kinematic bicycle). */
export function twistMsg(c: ShapedCommand, wheelbase: number | undefined, topic: string): Record<string, unknown> {
  let yawRate = c.yawRate;
  if (yawRate === undefined) {
    if (!(wheelbase !== undefined && wheelbase > 0))
      throw new BridgeInputError(`${topic}@values`, "malformed", `command has no yaw_rate_cmd and no wheelbase is set to derive it from steer_cmd`);
    yawRate = (c.speed * Math.tan(c.steer!)) / wheelbase;
  }
  return { linear: { x: c.speed, y: 0, z: 0 }, angular: { x: 0, y: 0, z: yawRate } };
}

export function twistStampedMsg(c: ShapedCommand, frameId: string, wheelbase: number | undefined, topic: string): Record<string, unknown> {
  return { header: { stamp: rosTime(c.t), frame_id: frameId }, twist: twistMsg(c, wheelbase, topic) };
}

/**
 * autoware_control_msgs/Control (what Autoware's vehicle interface takes on /control/command/control_cmd):
 * signed acceleration and jerk with their is_defined flags, steering tire angle and rotation rate.
 */
export function autowareControlMsg(c: ShapedCommand, topic: string): Record<string, unknown> {
  const stamp = rosTime(c.t);
  return {
    stamp,
    control_time: stamp,
    lateral: {
      stamp,
      control_time: stamp,
      steering_tire_angle: needSteer(c, topic, "autoware_control_msgs/Control"),
      steering_tire_rotation_rate: c.steerRate ?? 0,
      is_defined_steering_tire_rotation_rate: c.steerRate !== undefined,
    },
    longitudinal: {
      stamp,
      control_time: stamp,
      velocity: c.speed,
      acceleration: c.accel ?? 0,
      jerk: c.jerk ?? 0,
      is_defined_acceleration: c.accel !== undefined,
      is_defined_jerk: c.jerk !== undefined,
    },
  };
}

/** The message of a command type. */
export function commandMsg(type: Ros2CommandType, c: ShapedCommand, frameId: string, wheelbase: number | undefined, topic: string): Record<string, unknown> {
  switch (type) {
    case "ackermann_msgs/msg/AckermannDriveStamped":
      return ackermannMsg(c, frameId, topic);
    case "geometry_msgs/msg/Twist":
      return twistMsg(c, wheelbase, topic);
    case "geometry_msgs/msg/TwistStamped":
      return twistStampedMsg(c, frameId, wheelbase, topic);
    case "autoware_control_msgs/msg/Control":
      return autowareControlMsg(c, topic);
  }
}
