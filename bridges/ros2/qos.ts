/** A ROS 2 QoS profile as plain data: what lam asks of DDS, independent of the client library. */
export interface Ros2QosProfile {
  readonly reliability: "reliable" | "best_effort";
  readonly durability: "volatile" | "transient_local";
  readonly history: "keep_last" | "keep_all";
  readonly depth: number;
}

/** Sensor data (as rclcpp's SensorDataQoS, shallower): a late sample is worth less than the next one. */
export const SENSOR_QOS: Ros2QosProfile = { reliability: "best_effort", durability: "volatile", history: "keep_last", depth: 5 };
/** Commands: every one delivered, only the newest kept. */
export const COMMAND_QOS: Ros2QosProfile = { reliability: "reliable", durability: "volatile", history: "keep_last", depth: 1 };
/** Predictions: like commands, for planners and viewers that must not miss one. */
export const PREDICTION_QOS: Ros2QosProfile = COMMAND_QOS;
/** Status: a late-joining subscriber gets the last one (the ROS 2 analogue of an MQTT retained message). */
export const STATUS_QOS: Ros2QosProfile = { reliability: "reliable", durability: "transient_local", history: "keep_last", depth: 1 };

/** /tf_static as tf2_ros publishes it: every transform kept for late joiners. */
export const TF_STATIC_QOS: Ros2QosProfile = { reliability: "reliable", durability: "transient_local", history: "keep_last", depth: 100 };
/** /diagnostics as diagnostic_updater publishes it (rclcpp's default QoS, depth 10). */
export const DIAGNOSTICS_QOS: Ros2QosProfile = { reliability: "reliable", durability: "volatile", history: "keep_last", depth: 10 };

/** The rmw_qos_*_policy_t values (rmw/types.h), which rclnodejs's QoS enums carry. */
export const RMW_QOS = {
  history: { keep_last: 1, keep_all: 2 },
  reliability: { reliable: 1, best_effort: 2 },
  durability: { transient_local: 1, volatile: 2 },
} as const;

/** The rmw numbers of a profile, in rclnodejs's QoS constructor order. */
export function rmwQos(p: Ros2QosProfile): { history: number; depth: number; reliability: number; durability: number } {
  if (!Number.isInteger(p.depth) || p.depth < (p.history === "keep_last" ? 1 : 0))
    throw new Error(`QoS depth=${p.depth} must be a positive integer for ${p.history}`);
  return {
    history: RMW_QOS.history[p.history],
    depth: p.depth,
    reliability: RMW_QOS.reliability[p.reliability],
    durability: RMW_QOS.durability[p.durability],
  };
}

/** rclnodejs's QoS class: `new QoS(history, depth, reliability, durability)`. */
export type RclnodejsQosClass<T> = new (history: number, depth: number, reliability: number, durability: number) => T;

export function toRclnodejsQos<T>(p: Ros2QosProfile, QoS: RclnodejsQosClass<T>): T {
  const q = rmwQos(p);
  return new QoS(q.history, q.depth, q.reliability, q.durability);
}

/**
 * Whether DDS matches a publisher with a subscription (request-vs-offered): a reliable reader needs a reliable
 * writer, a transient-local reader a transient-local writer. Mismatches are silent in ROS 2, so say why.
 */
export function qosIncompatibility(publisher: Ros2QosProfile, subscription: Ros2QosProfile): string | undefined {
  if (subscription.reliability === "reliable" && publisher.reliability === "best_effort")
    return "subscription asks for reliable delivery, the publisher offers best effort";
  if (subscription.durability === "transient_local" && publisher.durability === "volatile")
    return "subscription asks for transient-local durability, the publisher offers volatile";
  return undefined;
}
