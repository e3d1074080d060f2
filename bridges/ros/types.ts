import type { Drive, RejectReason, Sample } from "../../perception/index.js";

/** A rotation as a unit quaternion, ROS order (x, y, z, w). */
export interface Quaternion {
  readonly x: number;
  readonly y: number;
  readonly z: number;
  readonly w: number;
}

/** A canonical channel that one message could not give, and why. */
export interface MapReject {
  readonly channel: string;
  readonly reason: RejectReason;
  readonly message: string;
}

/** What one decoded ROS message gives: canonical samples at time `t`, and what it could not give. */
export interface MapResult {
  /** Seconds: header.stamp, or the log/receive time when the message has no stamp or a zero one. */
  readonly t: number;
  readonly samples: Sample[];
  readonly rejects: MapReject[];
}

export interface MapOptions {
  /** Written into each Sample's `source` (the topic, usually). */
  readonly source?: string;
  /** Output name per canonical channel (e.g. yaw_rate → "yaw_rate@odom"); unlisted channels keep their name. */
  readonly names?: Readonly<Record<string, string>>;
  /**
   * Orientation of the sensor frame in the vehicle frame (the static TF base_link → sensor), applied to
   * vector quantities before they are named. Identity when absent: the sensor is assumed REP-103 aligned.
   */
  readonly mount?: Quaternion;
  /**
   * IMU only: "remove" (default) takes gravity off accel and lat_accel using the message's orientation where it
   * has one; "keep" leaves the specific force as measured.
   */
  readonly gravity?: "remove" | "keep";
}

/** Maps one decoded message type (plain object, ROS 1 or ROS 2 field layout) to canonical samples. */
export interface RosMessageMapper {
  /** ROS 1 spelling, e.g. "sensor_msgs/Imu"; ROS 2 "sensor_msgs/msg/Imu" resolves to it. */
  readonly type: string;
  /** Default qualifier when another topic already owns a channel ("yaw_rate@odom"). */
  readonly kind: string;
  /** Lower ranks own the bare channel name when two topics give the same channel. */
  readonly rank: number;
  /** Every canonical channel this type can give. */
  readonly channels: readonly string[];
  map(msg: unknown, logTime: number, options?: MapOptions): MapResult;
}

/** One topic of a recording, as imported. */
export interface TopicSummary {
  readonly topic: string;
  /** Message type as the file spells it. */
  readonly type: string;
  readonly messages: number;
  /** True when the topic was mapped into channels; otherwise `reason` says why it was skipped. */
  readonly mapped: boolean;
  readonly reason?: string;
  /** Messages that could not be decoded. */
  readonly malformed: number;
  /** Output channel names the topic gave. */
  readonly channels: readonly string[];
}

/** A Drive read from a ROS recording, with a per-topic account of what was read and skipped. */
export interface RosDrive extends Drive {
  readonly topics: readonly TopicSummary[];
}
