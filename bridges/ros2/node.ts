import type { Ros2QosProfile } from "./qos.js";

/** The slice of a ROS 2 client library lam uses: rclnodejs in production, a CDR loopback in tests. */
export interface Ros2Node {
  /** `type` in ROS 2 spelling ("sensor_msgs/msg/Imu"); `handler` gets the decoded message as a plain object. */
  subscribe(topic: string, type: string, qos: Ros2QosProfile, handler: (msg: unknown) => void): () => void;
  createPublisher(topic: string, type: string, qos: Ros2QosProfile): Ros2Publisher;
  /** The node's clock (ROS time; sim time under use_sim_time), seconds. */
  now(): number;
  close(): Promise<void>;
}

export interface Ros2Publisher {
  publish(msg: Record<string, unknown>): void;
  close(): void;
}

/** ROS 2 is not available here: says what is missing and how to get it. */
export class Ros2UnavailableError extends Error {
  override readonly name = "Ros2UnavailableError";
}
