import { toRclnodejsQos, type Ros2QosProfile } from "./qos.js";
import { Ros2UnavailableError, type Ros2Node } from "./node.js";

// The parts of rclnodejs this adapter calls (rclnodejs ships its own types, but it is not installed here).
interface RclQos {
  readonly __brand?: "QoS";
}
interface RclNode {
  createSubscription(type: string, topic: string, options: { qos: RclQos }, cb: (msg: unknown) => void): unknown;
  destroySubscription(sub: unknown): void;
  createPublisher(type: string, topic: string, options: { qos: RclQos }): { publish(msg: unknown): void };
  destroyPublisher(pub: unknown): void;
  now(): { secondsAndNanoseconds: { seconds: number; nanoseconds: number } };
  spin?(): void;
  destroy(): void;
}
interface Rclnodejs {
  init(): Promise<void>;
  createNode(name: string, namespace?: string): RclNode;
  spin?(node: RclNode): void;
  shutdown(): void;
  isShutdown?(): boolean;
  QoS: new (history: number, depth: number, reliability: number, durability: number) => RclQos;
}

export interface RclnodejsNodeOptions {
  readonly name?: string;
  readonly namespace?: string;
  /** Default process.env; ROS_DISTRO must be set (a sourced ROS 2 setup.bash). */
  readonly env?: Readonly<Record<string, string | undefined>>;
  /** How the module is loaded (default: dynamic import); tests pass a spy to prove it is never reached. */
  readonly importModule?: (specifier: string) => Promise<unknown>;
}

/**
 * A Ros2Node over rclnodejs. rclnodejs builds native bindings against the sourced ROS 2 at install or first
 * import, so it is imported only here, only when ROS_DISTRO says a ROS 2 environment is sourced.
 */
export async function openRclnodejsNode(opts: RclnodejsNodeOptions = {}): Promise<Ros2Node> {
  const env = opts.env ?? process.env;
  const distro = env.ROS_DISTRO;
  if (!distro)
    throw new Ros2UnavailableError(
      "ROS 2 is not available: ROS_DISTRO is not set. Source a ROS 2 install (e.g. `source /opt/ros/humble/setup.bash`) and install rclnodejs there (`npm i rclnodejs`) before using --ros2.",
    );
  const specifier = "rclnodejs";
  const importModule = opts.importModule ?? ((s: string) => import(s) as Promise<unknown>);
  let rcl: Rclnodejs;
  try {
    const mod = (await importModule(specifier)) as { default?: Rclnodejs } & Rclnodejs;
    rcl = mod.default ?? mod;
  } catch (err) {
    throw new Ros2UnavailableError(
      `ROS_DISTRO=${distro} is set but rclnodejs could not be loaded (${(err as Error).message}). Install it in this ROS 2 shell: npm i rclnodejs`,
    );
  }
  await rcl.init();
  const node = rcl.createNode(opts.name ?? "lam", opts.namespace ?? "");
  if (node.spin) node.spin();
  else rcl.spin?.(node);
  const qos = (p: Ros2QosProfile): RclQos => toRclnodejsQos(p, rcl.QoS);

  return {
    subscribe(topic, type, profile, handler) {
      const sub = node.createSubscription(type, topic, { qos: qos(profile) }, handler);
      return () => node.destroySubscription(sub);
    },
    createPublisher(topic, type, profile) {
      const pub = node.createPublisher(type, topic, { qos: qos(profile) });
      return { publish: (msg) => pub.publish(msg), close: () => node.destroyPublisher(pub) };
    },
    now() {
      const { seconds, nanoseconds } = node.now().secondsAndNanoseconds;
      return seconds + nanoseconds * 1e-9;
    },
    async close() {
      node.destroy();
      if (!rcl.isShutdown?.()) rcl.shutdown();
    },
  };
}
