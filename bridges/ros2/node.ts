import type { Ros2QosProfile } from "./qos.js";
import type { RosParamValue } from "./ros-args.js";
import type { Ros2ParamSpec } from "./settings.js";

/** The slice of a ROS 2 client library lam uses: rclnodejs in production, a CDR loopback in tests. */
export interface Ros2Node {
  /** `type` in ROS 2 spelling ("sensor_msgs/msg/Imu"); `handler` gets the decoded message as a plain object. */
  subscribe(topic: string, type: string, qos: Ros2QosProfile, handler: (msg: unknown) => void): () => void;
  createPublisher(topic: string, type: string, qos: Ros2QosProfile): Ros2Publisher;
  /** The node's clock (ROS time; sim time under use_sim_time), seconds. */
  now(): number;
  close(): Promise<void>;
  /** "/car1/lam", where the client library knows it. */
  readonly fullName?: string;
  /** A topic name as the client library resolves it (namespace, remaps), for logs. */
  resolveTopic?(topic: string): string;
  /**
   * Declares the node's parameters (with descriptions, read-only where the node reads them once) and returns
   * their values after the command line's overrides. A node without parameters leaves the defaults.
   */
  declareParameters?(specs: readonly Ros2ParamSpec[]): Map<string, RosParamValue>;
}

export interface Ros2Publisher {
  publish(msg: Record<string, unknown>): void;
  close(): void;
}

/** ROS 2 is not available here: says what is missing and how to get it. */
export class Ros2UnavailableError extends Error {
  override readonly name = "Ros2UnavailableError";
}
