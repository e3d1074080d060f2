import { Subject } from "rxjs";
import type { Sample } from "../../perception/types.js";
import { BridgeInputError, type SampleSource } from "../codec/live.js";
import { SampleGate } from "../codec/sample-gate.js";
import { BridgeCounters } from "../codec/stats.js";
import { planTopics, type TopicInfo, type TopicMapOptions, type TopicRoute } from "../ros/topic-map.js";
import type { Ros2Node } from "./node.js";
import { SENSOR_QOS, type Ros2QosProfile } from "./qos.js";

export interface Ros2SourceOptions {
  /** The topics to read and their message types (either ROS spelling). */
  readonly topics: readonly TopicInfo[];
  /** Qualifiers, mounts, type overrides: the same topic map `lam import` takes for recordings. */
  readonly map?: TopicMapOptions;
  readonly qos?: Ros2QosProfile;
  readonly backwardsToleranceS?: number;
}

/** "sensor_msgs/Imu" → "sensor_msgs/msg/Imu", the spelling rclnodejs and DDS type names use. */
export function ros2TypeName(type: string): string {
  const parts = type.split("/");
  return parts.length === 2 ? `${parts[0]}/msg/${parts[1]}` : type;
}

/**
 * Samples from live ROS 2 topics, mapped by the same per-type mappers (bridges/ros) that import recordings,
 * so a live node and a replay of its bag see the same channels. `accepted` in stats() counts samples.
 */
export function ros2SampleSource(node: Ros2Node, opts: Ros2SourceOptions): SampleSource {
  const plan = planTopics(opts.topics, opts.map);
  const routes: TopicRoute[] = [];
  const skipped: string[] = [];
  for (const r of plan.values()) {
    if (r.mapped) routes.push(r);
    else skipped.push(`${r.topic} (${r.type}): ${r.reason}`);
  }
  if (skipped.length > 0) throw new Error(`cannot read ROS 2 topics: ${skipped.join("; ")}`);

  const samples$ = new Subject<Sample>();
  const errors$ = new Subject<BridgeInputError>();
  const counters = new BridgeCounters();
  counters.connected = true;
  const gate = new SampleGate(opts.backwardsToleranceS === undefined ? {} : { backwardsToleranceS: opts.backwardsToleranceS });
  const fail = (e: BridgeInputError): void => {
    counters.reject(e);
    errors$.next(e);
  };

  const offs = routes.map((route) =>
    node.subscribe(route.topic, ros2TypeName(route.type), opts.qos ?? SENSOR_QOS, (msg) => {
      counters.received++;
      let result;
      try {
        result = route.mapper.map(msg, node.now(), route.options);
      } catch (err) {
        fail(new BridgeInputError(route.topic, "malformed", (err as Error).message));
        return;
      }
      for (const r of result.rejects) fail(new BridgeInputError(`${route.topic}@${r.channel}`, r.reason, r.message));
      for (const s of result.samples) {
        try {
          gate.admit(s, route.topic);
        } catch (err) {
          fail(err as BridgeInputError);
          continue;
        }
        counters.accepted++;
        samples$.next(s);
      }
    }),
  );

  let closed = false;
  return {
    samples$: samples$.asObservable(),
    errors$: errors$.asObservable(),
    stats: () => counters.snapshot(),
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
