import { mapperFor } from "./mappers.js";
import { normalizeRosType } from "./message-type.js";
import type { MapOptions, Quaternion, RosMessageMapper } from "./types.js";

/** How to read one topic, overriding the default (read by message type, bare canonical names). */
export interface TopicOverride {
  /** Append "@qualifier" to every channel this topic gives (e.g. "odom" → "speed@odom"). */
  readonly qualifier?: string;
  /** Read the topic as this message type, for files that spell a standard type differently. */
  readonly type?: string;
  /** Do not read this topic. */
  readonly ignore?: boolean;
  /** Sensor orientation in the vehicle frame (static TF base_link → sensor frame); IMU only. */
  readonly mount?: Quaternion;
}

export interface TopicMapOptions {
  /** Per-topic overrides, by exact topic name. */
  readonly topics?: Readonly<Record<string, TopicOverride>>;
  /** Read only the topics listed in `topics` (default: every topic of a type lam reads). */
  readonly exclusive?: boolean;
  /**
   * Mount of every IMU topic without its own (`lam … --imu-mount`); it wins over /tf_static, which is used
   * for IMU topics that have neither.
   */
  readonly imuMount?: Quaternion;
}

export interface TopicInfo {
  readonly topic: string;
  readonly type: string;
}

export interface TopicRoute {
  readonly topic: string;
  readonly type: string;
  readonly mapped: true;
  readonly mapper: RosMessageMapper;
  /** Pass these to `mapper.map`: source, output names, mount. */
  readonly options: MapOptions;
}

export interface TopicSkip {
  readonly topic: string;
  readonly type: string;
  readonly mapped: false;
  readonly reason: string;
}

/** Why lam's own outputs in its replay MCAP (predictions, commands, logs under /lam/) are not read back as inputs. */
export const LAM_OUTPUT = "lam's own output, not an input";

/** A topic lam wrote itself (/lam/…, lam.* and lam_msgs types): listed when skipped, not reported as a problem. */
export function isLamOutput(topic: string, type: string): boolean {
  return topic.startsWith("/lam/") || type.startsWith("lam.") || type.startsWith("lam_msgs/");
}

/** Whether and with which mapper a topic is read; naming waits until all topics are known (planTopics). */
export function routeTopic(info: TopicInfo, options: TopicMapOptions = {}): { mapper: RosMessageMapper } | { reason: string } {
  const o = options.topics?.[info.topic];
  if (o?.ignore) return { reason: "ignored by the topic map" };
  if (options.exclusive && !o) return { reason: "not in the topic map" };
  const type = o?.type ?? info.type;
  const mapper = mapperFor(type);
  if (!mapper) return { reason: isLamOutput(info.topic, type) ? LAM_OUTPUT : `unsupported message type ${type}` };
  if (mapper.kind === "tf" && info.topic !== "/tf_static" && info.topic !== "tf_static")
    return { reason: "only /tf_static is read (sensor mounts); moving transforms are not" };
  if (o?.mount && mapper.kind !== "imu") return { reason: `mount is only supported for IMU topics, not ${normalizeRosType(type)}` };
  return { mapper };
}

/**
 * Routes every topic and names its channels. Two topics giving the same canonical channel must not
 * merge: the topic whose type ranks first (IMU, then odometry, GNSS, commands; then by name) keeps the
 * bare name and the others are qualified by their kind ("yaw_rate@odom"), or by topic name if that is
 * taken too. A user qualifier applies to every channel of its topic.
 */
export function planTopics(topics: readonly TopicInfo[], options: TopicMapOptions = {}): Map<string, TopicRoute | TopicSkip> {
  const plan = new Map<string, TopicRoute | TopicSkip>();
  const routed: { info: TopicInfo; mapper: RosMessageMapper; override: TopicOverride | undefined }[] = [];
  for (const info of topics) {
    const r = routeTopic(info, options);
    if ("reason" in r) plan.set(info.topic, { topic: info.topic, type: info.type, mapped: false, reason: r.reason });
    else routed.push({ info, mapper: r.mapper, override: options.topics?.[info.topic] });
  }
  const taken = new Set<string>();
  const claim = (wanted: string, base: string, topic: string): string => {
    let name = wanted;
    if (taken.has(name)) name = `${base}@${topicQualifier(topic)}`;
    for (let i = 2; taken.has(name); i++) name = `${base}@${topicQualifier(topic)}_${i}`;
    taken.add(name);
    return name;
  };
  const named = new Map<string, Record<string, string>>();
  // User-qualified topics first: what the user asked for wins over defaults.
  const order = [...routed].sort(
    (a, b) =>
      Number(b.override?.qualifier !== undefined) - Number(a.override?.qualifier !== undefined) ||
      a.mapper.rank - b.mapper.rank ||
      (a.info.topic < b.info.topic ? -1 : a.info.topic > b.info.topic ? 1 : 0),
  );
  for (const { info, mapper, override } of order) {
    const names: Record<string, string> = {};
    for (const ch of mapper.channels) {
      if (override?.qualifier !== undefined) names[ch] = claim(`${ch}@${override.qualifier}`, ch, info.topic);
      else names[ch] = taken.has(ch) ? claim(`${ch}@${mapper.kind}`, ch, info.topic) : claim(ch, ch, info.topic);
    }
    named.set(info.topic, names);
  }
  for (const { info, mapper, override } of routed) {
    const mount = override?.mount ?? (mapper.kind === "imu" ? options.imuMount : undefined);
    const mapOptions: MapOptions = mount
      ? { source: info.topic, names: named.get(info.topic), mount }
      : { source: info.topic, names: named.get(info.topic) };
    plan.set(info.topic, { topic: info.topic, type: info.type, mapped: true, mapper, options: mapOptions });
  }
  return plan;
}

/** "/husky_velocity_controller/odom" → "husky_velocity_controller_odom": a qualifier safe in channel names. */
export function topicQualifier(topic: string): string {
  return topic.replace(/^\/+/, "").replace(/[^A-Za-z0-9_]+/g, "_") || "topic";
}
