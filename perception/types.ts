// The data contracts every part of lam speaks. Each is defined here once (DESIGN.md, "Data contracts").

/** One measurement on a canonical channel, time-stamped on its source's clock (seconds). */
export interface Sample {
  readonly channel: string;
  readonly t: number;
  readonly value: number | Float32Array;
  readonly source?: string;
}

/** Per-channel state of a value in a Frame's `valid` array. */
export const Validity = {
  /** Nothing usable: never seen, or older than the channel's staleness limit. The value is NaN. */
  Missing: 0,
  /** Interpolated or read from samples on both sides of (or at) the tick. */
  Fresh: 1,
  /** Carried forward from the last sample, within the staleness limit. */
  Held: 2,
} as const;
export type Validity = (typeof Validity)[keyof typeof Validity];

/** How a channel is resampled onto the tick: continuous signals interpolate, discrete ones hold. */
export type Interpolation = "linear" | "hold";

export interface FrameChannel {
  readonly name: string;
  readonly interp: Interpolation;
  /** Seconds after the last sample at which a held value becomes Missing. */
  readonly staleAfter: number;
}

/** The layout of a Frame: a fixed rate and an ordered list of channels. */
export interface FrameSpec {
  readonly rate: number;
  readonly channels: readonly FrameChannel[];
}

/** One tick at a fixed rate; `values` and `valid` are indexed by the FrameSpec's channel order. */
export interface Frame {
  readonly t: number;
  readonly values: Float32Array;
  readonly valid: Uint8Array;
}

/** Why a sample was dropped; counted per channel, never silently. */
export type RejectReason =
  | "nonfinite"
  | "out_of_range"
  | "outlier"
  | "late"
  | "duplicate"
  | "unknown_channel"
  | "wrong_type"
  | "malformed"
  /** A GNSS receiver reported no fix (e.g. sensor_msgs/NavSatFix status < 0): the position is not a measurement. */
  | "no_fix"
  /** A stamp the node's clock cannot believe: far ahead of or behind its estimate of source time, or not a plausible time at all. */
  | "clock";

export type RejectCounts = Partial<Record<RejectReason, number>>;

/** A time series of one canonical channel in a recorded drive, in time order. */
export interface DriveChannel {
  readonly name: string;
  readonly unit: string;
  /** Source-clock seconds. Float64 because ROS/epoch stamps need more than float32's 7 digits. */
  readonly t: Float64Array;
  readonly values: Float64Array;
  /** Which file/topic/column the channel came from. */
  readonly source: string;
}

/** A problem met while importing a drive: what, and where (file:line, topic@record). */
export interface ImportIssue {
  readonly where: string;
  readonly reason: RejectReason;
  readonly message: string;
  readonly channel?: string;
}

/** A recorded run, imported into canonical channels and SI units. */
export interface Drive {
  readonly name: string;
  readonly path: string;
  readonly format: "csv" | "mcap" | "rosbag1" | "rosbag2";
  readonly channels: readonly DriveChannel[];
  /** Samples the importer could not use, counted by channel and reason. */
  readonly rejected: Readonly<Record<string, RejectCounts>>;
  /** The first few issues in full, for error messages and `lam inspect`. */
  readonly issues: readonly ImportIssue[];
}

/** Per-channel affine normalisation, z = (x - mean) / std, with statistics from training data only. */
export interface Normalisation {
  readonly channels: readonly string[];
  readonly mean: readonly number[];
  readonly std: readonly number[];
}
