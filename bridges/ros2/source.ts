import { Subject } from "rxjs";
import type { Sample } from "../../perception/types.js";
import { BridgeInputError, type SampleSource } from "../codec/live.js";
import { SampleGate } from "../codec/sample-gate.js";
import { BridgeCounters } from "../codec/stats.js";
import { StaticTransforms, frameIdOf } from "../ros/tf-static.js";
import { PATH_TYPES, pathSceneSamples } from "../ros/path-scene.js";
import { normalizeRosType } from "../ros/message-type.js";
import type { SceneOptions } from "../../perception/scene.js";
import { planTopics, type TopicInfo, type TopicMapOptions, type TopicRoute } from "../ros/topic-map.js";
import type { MapOptions, Quaternion } from "../ros/types.js";
import type { Measured } from "./commands.js";
import type { InputState } from "./diagnostics.js";
import type { Ros2Node } from "./node.js";
import { SENSOR_QOS, TF_STATIC_QOS, type Ros2QosProfile } from "./qos.js";

export interface Ros2SourceOptions {
  /** The topics to read and their message types (either ROS spelling); relative names are namespaced by the node. */
  readonly topics: readonly TopicInfo[];
  /** Qualifiers, mounts, type overrides: the same topic map `lam import` takes for recordings. */
  readonly map?: TopicMapOptions;
  /** Mount of every IMU topic without its own; otherwise /tf_static gives it (base_link → the IMU's frame). */
  readonly imuMount?: Quaternion;
  /** Where static transforms come from (default "/tf_static"; "" = none). */
  readonly tfStaticTopic?: string;
  readonly qos?: Ros2QosProfile;
  readonly backwardsToleranceS?: number;
  /**
   * Vehicle geometry for scene channels from a planned path (nav_msgs/Path or autoware_planning_msgs/Trajectory
   * topics among `topics`, with the vehicle's nav_msgs/Odometry): path_offset, path_heading, path_curv@Ts, target_speed.
   */
  readonly scene?: SceneOptions;
}

const isPathType = (type: string): boolean => (PATH_TYPES as readonly string[]).includes(normalizeRosType(type));

/** A SampleSource that also says, per input topic, how much came in and when (diagnostics), and the latest speed. */
export interface Ros2SampleSource extends SampleSource {
  inputs(): InputState[];
  /** The newest accepted `speed` sample (source time), for turning accel_cmd into a speed target. */
  measuredSpeed(): Measured | undefined;
}

/** A passenger car's geometry, for scene channels when none is given (m). */
const DEFAULT_SCENE: SceneOptions = { egoLength: 4.6, egoWidth: 1.85, egoFront: 3.6, leadRange: 100 };
/** Plans come rarely and matter until the next: reliable, and the last one kept for a late joiner. */
const PATH_QOS: Ros2QosProfile = { reliability: "reliable", durability: "volatile", history: "keep_last", depth: 1 };

/** "sensor_msgs/Imu" → "sensor_msgs/msg/Imu", the spelling rclnodejs and DDS type names use. */
export function ros2TypeName(type: string): string {
  const parts = type.split("/");
  return parts.length === 2 ? `${parts[0]}/msg/${parts[1]}` : type;
}

/**
 * Samples from live ROS 2 topics, mapped by the same per-type mappers (bridges/ros) that import recordings,
 * so a live node and a replay of its bag see the same channels. `accepted` in stats() counts samples.
 */
export function ros2SampleSource(node: Ros2Node, opts: Ros2SourceOptions): Ros2SampleSource {
  const map: TopicMapOptions = opts.imuMount ? { ...opts.map, imuMount: opts.imuMount } : (opts.map ?? {});
  const pathTopics = opts.topics.filter((t) => isPathType(t.type));
  const plan = planTopics(opts.topics.filter((t) => !isPathType(t.type)), map);
  const routes: TopicRoute[] = [];
  const skipped: string[] = [];
  for (const r of plan.values()) {
    if (r.mapped) routes.push(r);
    else skipped.push(`${r.topic} (${r.type}): ${r.reason}`);
  }
  if (pathTopics.length > 0 && !routes.some((r) => normalizeRosType(r.type) === "nav_msgs/Odometry"))
    skipped.push(`${pathTopics.map((t) => t.topic).join(", ")}: a planned path needs the vehicle's nav_msgs/Odometry among the topics too`);
  if (skipped.length > 0) throw new Error(`cannot read ROS 2 topics: ${skipped.join("; ")}`);

  const samples$ = new Subject<Sample>();
  const errors$ = new Subject<BridgeInputError>();
  const counters = new BridgeCounters();
  counters.connected = true;
  const gate = new SampleGate(opts.backwardsToleranceS === undefined ? {} : { backwardsToleranceS: opts.backwardsToleranceS });
  const tf = new StaticTransforms();
  const inputs = new Map<string, { messages: number; lastAt?: number }>();
  let speed: Measured | undefined;
  let lastOdometry: unknown;
  let lastPath: { topic: string; type: string; msg: unknown } | undefined;
  const fail = (e: BridgeInputError): void => {
    counters.reject(e);
    errors$.next(e);
  };
  // An IMU's mount: its topic's own or --imu-mount (in route.options), else /tf_static for its frame.
  const optionsFor = (route: TopicRoute, msg: unknown): MapOptions => {
    if (route.mapper.kind !== "imu" || route.options.mount) return route.options;
    const frame = frameIdOf(msg);
    const mount = frame === undefined ? undefined : tf.mountOf(frame);
    return mount ? { ...route.options, mount } : route.options;
  };

  const admit = (s: Sample, topic: string): void => {
    try {
      gate.admit(s, topic);
    } catch (err) {
      fail(err as BridgeInputError);
      return;
    }
    counters.accepted++;
    if (s.channel === "speed" && typeof s.value === "number") speed = { t: s.t, value: s.value };
    samples$.next(s);
  };
  // Scene channels: recomputed on each odometry (the vehicle moved) and each path (the plan changed).
  const scene = (): void => {
    if (!lastPath || lastOdometry === undefined) return;
    const r = pathSceneSamples(normalizeRosType(lastPath.type), lastPath.msg, lastOdometry, opts.scene ?? DEFAULT_SCENE);
    if ("error" in r) fail(new BridgeInputError(lastPath.topic, "malformed", r.error));
    else for (const s of r) admit(s, lastPath.topic);
  };

  const offs = routes
    .filter((r) => r.mapper.kind !== "tf")
    .map((route) => {
      inputs.set(route.topic, { messages: 0 });
      return node.subscribe(route.topic, ros2TypeName(route.type), opts.qos ?? SENSOR_QOS, (msg) => {
        counters.received++;
        const now = node.now();
        const input = inputs.get(route.topic)!;
        input.messages++;
        input.lastAt = now;
        let result;
        try {
          result = route.mapper.map(msg, now, optionsFor(route, msg));
        } catch (err) {
          fail(new BridgeInputError(route.topic, "malformed", (err as Error).message));
          return;
        }
        for (const r of result.rejects) fail(new BridgeInputError(`${route.topic}@${r.channel}`, r.reason, r.message));
        for (const s of result.samples) admit(s, route.topic);
        if (pathTopics.length > 0 && route.mapper.kind === "odom") {
          lastOdometry = msg;
          scene();
        }
      });
    });
  for (const p of pathTopics) {
    inputs.set(p.topic, { messages: 0 });
    offs.push(
      node.subscribe(p.topic, ros2TypeName(p.type), PATH_QOS, (msg) => {
        counters.received++;
        const input = inputs.get(p.topic)!;
        input.messages++;
        input.lastAt = node.now();
        lastPath = { topic: p.topic, type: p.type, msg };
        scene();
      }),
    );
  }
  const tfTopic = opts.tfStaticTopic ?? "/tf_static";
  if (tfTopic !== "" && routes.some((r) => r.mapper.kind === "imu"))
    offs.push(
      node.subscribe(tfTopic, "tf2_msgs/msg/TFMessage", TF_STATIC_QOS, (msg) => {
        for (const problem of tf.add(msg)) fail(new BridgeInputError(tfTopic, "malformed", problem));
      }),
    );

  let closed = false;
  return {
    samples$: samples$.asObservable(),
    errors$: errors$.asObservable(),
    stats: () => counters.snapshot(),
    inputs: () => [...inputs].map(([topic, s]) => ({ topic, ...s })),
    measuredSpeed: () => speed,
    async close() {
      if (closed) return;
      closed = true;
      for (const off of offs) off();
      counters.connected = false;
      samples$.complete();
      errors$.complete();
    },
  };
}
