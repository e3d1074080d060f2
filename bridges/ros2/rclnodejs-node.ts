import type * as rcl from "rclnodejs";
import { toRclnodejsQos, type Ros2QosProfile } from "./qos.js";
import { Ros2UnavailableError, type Ros2Node } from "./node.js";
import type { RosParamValue } from "./ros-args.js";
import type { Ros2ParamSpec } from "./settings.js";

// The slice of rclnodejs this adapter uses, written in rclnodejs's own published types (import type: nothing
// of rclnodejs is loaded here). `realRclnodejsFits` below only compiles while rclnodejs's real module is
// assignable to this slice, so `npm test`'s tsc fails on API misuse (wrong argument order, bigint times…)
// although ROS 2 cannot run here. Tests implement the same slice (test/support/fake-rclnodejs.ts).

type RealNode = rcl.Node;

/** A node, over its subscription (S) and publisher (P) handles, which the adapter only hands back. */
export interface RclnodejsNode<S = rcl.Subscription, P extends Pick<rcl.Publisher<any>, "publish"> = rcl.Publisher<any>> {
  name(): string;
  namespace(): string;
  getFullyQualifiedName(): string;
  resolveTopicName(topicName: string, onlyExpand?: boolean): string;
  createSubscription(typeClass: string, topic: string, options: rcl.Options, callback: (message: any) => void): S;
  destroySubscription(subscription: S): void;
  createPublisher(typeClass: string, topic: string, options?: rcl.Options): P;
  destroyPublisher(publisher: P): void;
  declareParameter(parameter: rcl.Parameter, descriptor?: rcl.ParameterDescriptor, ignoreOverride?: boolean): rcl.Parameter;
  hasParameter(name: string): boolean;
  getParameter(name: string): rcl.Parameter;
  now(): Pick<rcl.Time, "secondsAndNanoseconds">;
  spin(timeout?: number): void;
  destroy(): void;
}

export interface RclnodejsModule<S = rcl.Subscription, P extends Pick<rcl.Publisher<any>, "publish"> = rcl.Publisher<any>> {
  init(context?: rcl.Context, argv?: string[]): Promise<void>;
  shutdown(context?: rcl.Context): void;
  isShutdown(context?: rcl.Context): boolean;
  Node: new (nodeName: string, namespace?: string) => RclnodejsNode<S, P>;
  QoS: new (history?: rcl.QoS.HistoryPolicy, depth?: number, reliability?: rcl.QoS.ReliabilityPolicy, durability?: rcl.QoS.DurabilityPolicy) => rcl.QoS;
  Parameter: new (name: string, type: rcl.ParameterType, value?: any) => rcl.Parameter;
  ParameterDescriptor: new (name: string, type: rcl.ParameterType, description?: string, readOnly?: boolean) => rcl.ParameterDescriptor;
}

/** Compiles only while the real rclnodejs fits RclnodejsModule: the type check against rclnodejs's own types. */
export const realRclnodejsFits = (m: typeof rcl): RclnodejsModule => m;
/** Likewise for its Node class. */
export const realNodeFits = (n: RealNode): RclnodejsNode => n;

/** rcl's parameter type ids (rcl_interfaces/msg/ParameterType), as rclnodejs's ParameterType enum has them. */
const PARAMETER_TYPE: Readonly<Record<Ros2ParamSpec["type"], rcl.ParameterType>> = {
  bool: 1 satisfies rcl.ParameterType.PARAMETER_BOOL,
  double: 3 satisfies rcl.ParameterType.PARAMETER_DOUBLE,
  string: 4 satisfies rcl.ParameterType.PARAMETER_STRING,
  string_array: 9 satisfies rcl.ParameterType.PARAMETER_STRING_ARRAY,
};
const PARAMETER_INTEGER: rcl.ParameterType = 2 satisfies rcl.ParameterType.PARAMETER_INTEGER;

export interface RclnodejsNodeOptions {
  readonly name?: string;
  readonly namespace?: string;
  /** The ROS arguments (`--ros-args …`), passed to rcl as the process's: remaps, __ns, __node, -p, --params-file. */
  readonly rosArgs?: readonly string[];
  /** Default process.env; ROS_DISTRO must be set (a sourced ROS 2 setup.bash). */
  readonly env?: Readonly<Record<string, string | undefined>>;
  /** How the module is loaded (default: dynamic import); tests pass a fake rclnodejs, or a spy to prove it is never reached. */
  readonly importModule?: (specifier: string) => Promise<unknown>;
}

/** rclnodejs 2.x is ESM with a default export; older ones are CommonJS. */
function moduleOf(mod: unknown): RclnodejsModule<unknown, Pick<rcl.Publisher<any>, "publish">> {
  const m = mod as { default?: unknown };
  return (m.default ?? m) as RclnodejsModule<unknown, Pick<rcl.Publisher<any>, "publish">>;
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
  let mod: RclnodejsModule<unknown, Pick<rcl.Publisher<any>, "publish">>;
  try {
    mod = moduleOf(await importModule(specifier));
  } catch (err) {
    throw new Ros2UnavailableError(
      `ROS_DISTRO=${distro} is set but rclnodejs could not be loaded (${(err as Error).message}). Install it in this ROS 2 shell: npm i rclnodejs`,
    );
  }
  return rclnodejsNode(mod, opts);
}

/** The adapter proper, over any module that fits rclnodejs's types (the real one, or a test's). */
export async function rclnodejsNode<S, P extends Pick<rcl.Publisher<any>, "publish">>(mod: RclnodejsModule<S, P>, opts: RclnodejsNodeOptions = {}): Promise<Ros2Node> {
  // rcl reads global ROS arguments from argv: argv[0] is the program, the rest as given.
  await mod.init(undefined, ["lam", ...(opts.rosArgs ?? [])]);
  const node = new mod.Node(opts.name ?? "lam", opts.namespace ?? "");
  node.spin();
  const qos = (p: Ros2QosProfile): rcl.QoS => toRclnodejsQos(p, mod.QoS);
  const options = (p: Ros2QosProfile): rcl.Options => ({ qos: qos(p) });

  return {
    fullName: node.getFullyQualifiedName(),
    resolveTopic: (topic) => node.resolveTopicName(topic),
    subscribe(topic, type, profile, handler) {
      const sub = node.createSubscription(type, topic, options(profile), handler);
      return () => node.destroySubscription(sub);
    },
    createPublisher(topic, type, profile) {
      const pub = node.createPublisher(type, topic, options(profile));
      return { publish: (msg) => pub.publish(msg as never), close: () => node.destroyPublisher(pub) };
    },
    declareParameters(specs) {
      const out = new Map<string, RosParamValue>();
      for (const s of specs) {
        // use_sim_time is declared by the node's time source already; declaring it twice throws.
        if (!node.hasParameter(s.name)) {
          const p = new mod.Parameter(s.name, PARAMETER_TYPE[s.type], s.default);
          node.declareParameter(p, new mod.ParameterDescriptor(s.name, PARAMETER_TYPE[s.type], s.description, s.readOnly));
        }
        const p = node.getParameter(s.name);
        // `-p wheelbase:=3` arrives as an integer: rcl refuses to override a double with it, so does this.
        out.set(s.name, p.type === PARAMETER_INTEGER && s.type === "double" ? Number(p.value) : (p.value as RosParamValue));
      }
      return out;
    },
    now() {
      const { seconds, nanoseconds } = node.now().secondsAndNanoseconds;
      return Number(seconds) + Number(nanoseconds) * 1e-9;
    },
    async close() {
      node.destroy();
      if (!mod.isShutdown()) mod.shutdown();
    },
  };
}
