import { channelInfo } from "../../perception/index.js";
import type { DriveChannel, ImportIssue, RejectCounts, RejectReason } from "../../perception/index.js";
import { LAM_OUTPUT, planTopics, routeTopic } from "./topic-map.js";
import type { TopicMapOptions } from "./topic-map.js";
import { StaticTransforms, frameIdOf } from "./tf-static.js";
import type { MapOptions, RosDrive, RosMessageMapper, TopicSummary } from "./types.js";

interface Series {
  t: number[];
  v: number[];
}

interface TopicState {
  readonly topic: string;
  readonly type: string;
  readonly mapper: RosMessageMapper | undefined;
  readonly reason: string | undefined;
  messages: number;
  malformed: number;
  /** By canonical (unqualified) channel; names are given once every topic is known. */
  readonly series: Map<string, Series>;
  readonly rejects: Map<string, RejectCounts>;
}

export interface ImporterOptions extends TopicMapOptions {
  /** How many per-message issues to keep in full (all are counted). Default 50. */
  readonly maxIssues?: number;
}

/**
 * Turns a stream of decoded ROS messages (any order, topics met as they come) into a RosDrive. Shared by
 * the MCAP and ROS 1 bag importers so both give the same channels, names and rejections for the same data.
 */
export class RosImporter {
  readonly #topics = new Map<string, TopicState>();
  readonly #fileIssues: ImportIssue[] = [];
  readonly #messageIssues: ImportIssue[] = [];
  readonly #maxIssues: number;
  readonly #tf = new StaticTransforms();
  /** IMU messages mapped before any /tf_static arrived (their mount could not come from it). */
  #imuBeforeTf = 0;

  constructor(private readonly options: ImporterOptions = {}) {
    this.#maxIssues = options.maxIssues ?? 50;
  }

  /**
   * Declares a topic; its mapper (or why it is skipped) is decided now. `unreadable` says why the file's
   * messages on it cannot be decoded (e.g. an unsupported encoding), skipping it. Re-declaring is a no-op.
   */
  topic(topic: string, type: string, unreadable?: string): void {
    if (this.#topics.has(topic)) return;
    const routed = routeTopic({ topic, type }, this.options);
    const r = unreadable !== undefined && "mapper" in routed ? { reason: unreadable } : routed;
    this.#topics.set(topic, {
      topic,
      type,
      mapper: "mapper" in r ? r.mapper : undefined,
      reason: "reason" in r ? r.reason : undefined,
      messages: 0,
      malformed: 0,
      series: new Map(),
      rejects: new Map(),
    });
  }

  /**
   * Counts one message on a declared topic; true when it is to be decoded and passed to `message` or
   * `malformed`, false when its topic is skipped (no decoding spent on it).
   */
  take(topic: string): boolean {
    const s = this.#state(topic);
    s.messages++;
    return s.mapper !== undefined;
  }

  /** One decoded message that `take` accepted. `where` names it for error messages (topic@log_time). */
  message(topic: string, logTime: number, decoded: unknown, where: () => string): void {
    const s = this.#state(topic);
    if (s.mapper!.kind === "tf") {
      for (const problem of this.#tf.add(decoded)) this.#messageIssue({ where: where(), reason: "malformed", message: problem });
      return;
    }
    const r = s.mapper!.map(decoded, logTime, this.#mapOptions(topic, s.mapper!, decoded));
    for (const sample of r.samples) {
      let series = s.series.get(sample.channel);
      if (!series) s.series.set(sample.channel, (series = { t: [], v: [] }));
      series.t.push(sample.t);
      series.v.push(sample.value as number);
    }
    for (const rej of r.rejects) {
      this.#count(s, rej.channel, rej.reason);
      this.#messageIssue({ where: where(), reason: rej.reason, channel: rej.channel, message: rej.message });
    }
  }

  /** Mount precedence: the topic's own, then --imu-mount, then /tf_static (base_link → the message's frame). */
  #mapOptions(topic: string, mapper: RosMessageMapper, decoded: unknown): MapOptions {
    const mount = this.options.topics?.[topic]?.mount ?? (mapper.kind === "imu" ? this.options.imuMount : undefined);
    if (mount) return { mount };
    if (mapper.kind !== "imu") return {};
    if (this.#tf.size === 0) {
      this.#imuBeforeTf++;
      return {};
    }
    const frame = frameIdOf(decoded);
    const fromTf = frame === undefined ? undefined : this.#tf.mountOf(frame);
    return fromTf ? { mount: fromTf } : {};
  }

  /** A message that could not be decoded: every channel its topic gives loses one sample. */
  malformed(topic: string, where: string, error: unknown): void {
    const s = this.#state(topic);
    s.malformed++;
    for (const ch of s.mapper?.channels ?? []) this.#count(s, ch, "malformed");
    this.#messageIssue({ where, reason: "malformed", message: `cannot decode ${s.type}: ${errorText(error)}` });
  }

  /** A problem with the file itself (truncation, a corrupt chunk): always kept in full. */
  fileIssue(issue: ImportIssue): void {
    this.#fileIssues.push(issue);
  }

  finish(meta: { name: string; path: string; format: RosDrive["format"] }): RosDrive {
    const states = [...this.#topics.values()];
    const plan = planTopics(
      states.filter((s) => s.mapper).map((s) => ({ topic: s.topic, type: s.type })),
      this.options,
    );
    const channels: DriveChannel[] = [];
    const rejected: Record<string, RejectCounts> = {};
    const summaries: TopicSummary[] = [];
    const unknown: ImportIssue[] = [];
    for (const s of states) {
      const route = plan.get(s.topic);
      if (!route?.mapped) {
        const reason = s.reason ?? (route as { reason?: string } | undefined)?.reason ?? "not read";
        summaries.push({ topic: s.topic, type: s.type, messages: s.messages, mapped: false, reason, malformed: 0, channels: [] });
        // Topics the user left out on purpose are listed, not reported as problems.
        const o = this.options.topics?.[s.topic];
        if (!o?.ignore && !(this.options.exclusive && !o) && reason !== LAM_OUTPUT) {
          unknown.push({ where: s.topic, reason: "unknown_channel", message: `${s.type}: ${reason}; ${s.messages} messages not read` });
        }
        continue;
      }
      const names = route.options.names ?? {};
      const out: string[] = [];
      for (const [base, counts] of s.rejects) mergeCounts((rejected[names[base] ?? base] ??= {}), counts);
      for (const [base, series] of s.series) {
        const name = names[base] ?? base;
        const { channel, duplicates } = toChannel(name, s.topic, series);
        if (duplicates > 0) {
          const c = (rejected[name] ??= {});
          c.duplicate = (c.duplicate ?? 0) + duplicates;
          this.#messageIssue({ where: s.topic, reason: "duplicate", channel: name, message: `${duplicates} samples repeat an earlier time stamp; the first was kept` });
        }
        channels.push(channel);
        out.push(name);
      }
      summaries.push({ topic: s.topic, type: s.type, messages: s.messages, mapped: true, malformed: s.malformed, channels: out.sort() });
    }
    channels.sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
    summaries.sort((a, b) => (a.topic < b.topic ? -1 : a.topic > b.topic ? 1 : 0));
    if (this.#tf.size > 0 && this.#imuBeforeTf > 0)
      this.#fileIssues.push({
        where: meta.path,
        reason: "malformed",
        message: `${this.#imuBeforeTf} IMU messages came before the first /tf_static and were read without its mount`,
      });
    return {
      ...meta,
      channels,
      rejected,
      issues: [...this.#fileIssues, ...unknown, ...this.#messageIssues],
      topics: summaries,
    };
  }

  #state(topic: string): TopicState {
    const s = this.#topics.get(topic);
    if (!s) throw new Error(`topic ${topic} was not declared before its messages`);
    return s;
  }

  #count(s: TopicState, channel: string, reason: RejectReason): void {
    let c = s.rejects.get(channel);
    if (!c) s.rejects.set(channel, (c = {}));
    c[reason] = (c[reason] ?? 0) + 1;
  }

  #messageIssue(issue: ImportIssue): void {
    if (this.#messageIssues.length < this.#maxIssues) this.#messageIssues.push(issue);
  }
}

/** Sorted by time (stamps need not arrive in order); a repeated stamp keeps the first sample. */
function toChannel(name: string, source: string, series: Series): { channel: DriveChannel; duplicates: number } {
  const n = series.t.length;
  const order = new Uint32Array(n);
  let sorted = true;
  for (let i = 0; i < n; i++) {
    order[i] = i;
    if (i > 0 && series.t[i] < series.t[i - 1]) sorted = false;
  }
  // Typed-array sort is not guaranteed stable; break ties by arrival so "first kept" holds.
  if (!sorted) order.sort((a, b) => series.t[a] - series.t[b] || a - b);
  const t = new Float64Array(n);
  const values = new Float64Array(n);
  let k = 0;
  for (let i = 0; i < n; i++) {
    const j = order[i];
    if (k > 0 && series.t[j] === t[k - 1]) continue;
    t[k] = series.t[j];
    values[k] = series.v[j];
    k++;
  }
  return {
    channel: { name, unit: channelInfo(name).unit, t: k === n ? t : t.slice(0, k), values: k === n ? values : values.slice(0, k), source },
    duplicates: n - k,
  };
}

function mergeCounts(into: RejectCounts, from: RejectCounts): void {
  for (const [reason, n] of Object.entries(from) as [RejectReason, number][]) into[reason] = (into[reason] ?? 0) + n;
}

export function errorText(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
