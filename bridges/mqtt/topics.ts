// DESIGN.md "MQTT topics (stable)": lam/<vehicle>/in/<channel>, lam/<vehicle>/{prediction,command,status}.

export interface MqttTopics {
  readonly vehicle: string;
  /** Where samples of `channel` come in. */
  sample(channel: string): string;
  /** All sample topics of this vehicle (one level: channel names hold no "/"). */
  readonly samples: string;
  readonly prediction: string;
  readonly command: string;
  readonly status: string;
}

export type TopicKind =
  | { readonly kind: "sample"; readonly vehicle: string; readonly channel: string }
  | { readonly kind: "prediction" | "command" | "status"; readonly vehicle: string };

const ROOT = "lam";

/** A topic level must not hold the separator, the wildcards, or NUL (MQTT 5 §4.7). */
export function checkTopicLevel(what: string, value: string): string {
  if (value.length === 0 || /[/+#\u0000]/.test(value))
    throw new Error(`${what} "${value}" cannot be an MQTT topic level (it must be non-empty, without / + # or NUL)`);
  return value;
}

export function mqttTopics(vehicle: string): MqttTopics {
  checkTopicLevel("vehicle id", vehicle);
  const base = `${ROOT}/${vehicle}`;
  return {
    vehicle,
    sample: (channel) => `${base}/in/${checkTopicLevel("channel", channel)}`,
    samples: `${base}/in/+`,
    prediction: `${base}/prediction`,
    command: `${base}/command`,
    status: `${base}/status`,
  };
}

/** What a lam topic carries, or undefined for a topic outside the scheme. */
export function parseTopic(topic: string): TopicKind | undefined {
  const parts = topic.split("/");
  if (parts[0] !== ROOT || parts.length < 3 || !parts[1]) return undefined;
  const vehicle = parts[1];
  if (parts.length === 4 && parts[2] === "in") return { kind: "sample", vehicle, channel: parts[3]! };
  if (parts.length === 3 && (parts[2] === "prediction" || parts[2] === "command" || parts[2] === "status"))
    return { kind: parts[2], vehicle };
  return undefined;
}
