export type CommandMode = "model" | "fallback" | "stop";

/** What is sent to the actuators on one tick, with why it differs from the prediction. */
export interface Command {
  readonly t: number;
  /** By action channel, e.g. { steer_cmd: 0.05, accel_cmd: -0.4 }. Always finite. */
  readonly values: Readonly<Record<string, number>>;
  readonly mode: CommandMode;
  /** Names of the limits that changed this command (e.g. "steer_rate", "lat_accel"). */
  readonly limits: readonly string[];
}
