import { open } from "node:fs/promises";
import { basename, extname } from "node:path";
import { McapIndexedReader } from "@mcap/core";
import { loadDecompressHandlers } from "@mcap/support";
import { channelInfo, isKnownChannel } from "../../perception/channels.js";
import type { Drive, DriveChannel, ImportIssue, RejectCounts } from "../../perception/types.js";
import { FileReadable } from "../mcap/file-readable.js";
import { McapSink } from "../mcap/writer.js";
import { secondsToNs } from "../ros/time.js";

/**
 * lam's canonical drive in MCAP: one JSON topic per canonical channel, `/lam/in/<channel>` (as the MQTT
 * input topics `lam/<vehicle>/in/<channel>`), each message a `lam.Sample` `{ t, value }` in SI units on
 * the drive's clock. JSON keeps every Float64 exactly; Foxglove and the mcap CLI read it as is.
 */
export const SAMPLE_TOPIC_PREFIX = "/lam/in/";
export const SAMPLE_SCHEMA_NAME = "lam.Sample";
export const SAMPLE_SCHEMA = {
  title: SAMPLE_SCHEMA_NAME,
  description: "One measurement of a canonical channel (name in the topic), SI units",
  type: "object",
  properties: { t: { type: "number", description: "seconds, source clock" }, value: { type: "number" } },
  required: ["t", "value"],
};

/** Messages queued on the sink before waiting for them: bounded memory, few promise round trips. */
const BATCH = 4096;

/**
 * Writes `drive` as a canonical MCAP: channels in the drive's order, messages merged in time order (ties by
 * channel order). Log time is the sample's time (clamped at 0: MCAP times are unsigned; `t` keeps the sign).
 * Same drive → same bytes.
 */
export async function writeCanonicalMcap(drive: Pick<Drive, "channels">, path: string): Promise<{ messages: number }> {
  const sink = await McapSink.create(path, { library: "lam" });
  let messages = 0;
  try {
    const ids: number[] = [];
    for (const c of drive.channels) ids.push(await sink.addJsonChannel(SAMPLE_TOPIC_PREFIX + c.name, SAMPLE_SCHEMA_NAME, SAMPLE_SCHEMA));
    const cursor = new Int32Array(drive.channels.length);
    let pending: Promise<void>[] = [];
    for (;;) {
      let k = -1;
      let t = Number.POSITIVE_INFINITY;
      drive.channels.forEach((c, j) => {
        if (cursor[j] < c.t.length && c.t[cursor[j]] < t) [t, k] = [c.t[cursor[j]], j];
      });
      if (k < 0) break;
      const c = drive.channels[k];
      const i = cursor[k]++;
      pending.push(sink.write(ids[k], secondsToNs(Math.max(0, t)), { t, value: c.values[i] }));
      messages++;
      if (pending.length >= BATCH) {
        await Promise.all(pending);
        pending = [];
      }
    }
    await Promise.all(pending);
  } finally {
    await sink.close();
  }
  return { messages };
}

/**
 * Reads a canonical MCAP (every channel a `/lam/in/<channel>` JSON topic of `lam.Sample`); undefined for
 * any other MCAP, which the ROS importer reads. A message that is not `{ t, value }` with finite numbers is
 * counted and described, and the rest kept.
 */
export async function loadCanonicalMcap(path: string): Promise<Drive | undefined> {
  const handle = await open(path, "r");
  try {
    const size = (await handle.stat()).size;
    let reader: McapIndexedReader;
    try {
      reader = await McapIndexedReader.Initialize({ readable: new FileReadable(handle, size), decompressHandlers: await loadDecompressHandlers() });
    } catch {
      return undefined; // no index: not a file lam wrote; the ROS importer reads it front to back
    }
    const channels = [...reader.channelsById.values()];
    const canonical =
      channels.length > 0 &&
      channels.every((c) => {
        const schema = reader.schemasById.get(c.schemaId);
        return c.messageEncoding === "json" && schema?.name === SAMPLE_SCHEMA_NAME && c.topic.startsWith(SAMPLE_TOPIC_PREFIX);
      });
    if (!canonical) return undefined;

    const rejected: Record<string, RejectCounts> = {};
    const issues: ImportIssue[] = [];
    const reject = (channel: string, reason: "malformed" | "nonfinite" | "unknown_channel", where: string, message: string) => {
      const c = (rejected[channel] ??= {});
      c[reason] = (c[reason] ?? 0) + 1;
      if (issues.length < 50) issues.push({ where, reason, message: `${where}: ${message}`, channel });
    };
    const series = new Map<number, { name: string; t: number[]; v: number[] }>();
    for (const c of channels) {
      const name = c.topic.slice(SAMPLE_TOPIC_PREFIX.length);
      if (!isKnownChannel(name) || name.endsWith("@")) {
        issues.push({ where: c.topic, reason: "unknown_channel", message: `${c.topic}: "${name}" is not a canonical channel; topic skipped`, channel: name });
        continue;
      }
      series.set(c.id, { name, t: [], v: [] });
    }
    const decoder = new TextDecoder();
    for await (const m of reader.readMessages()) {
      const s = series.get(m.channelId);
      if (!s) {
        const topic = reader.channelsById.get(m.channelId)?.topic ?? String(m.channelId);
        const c = (rejected[topic.slice(SAMPLE_TOPIC_PREFIX.length)] ??= {});
        c.unknown_channel = (c.unknown_channel ?? 0) + 1;
        continue;
      }
      const where = `${SAMPLE_TOPIC_PREFIX}${s.name}#${m.sequence}`;
      let msg: unknown;
      try {
        msg = JSON.parse(decoder.decode(m.data));
      } catch (e) {
        reject(s.name, "malformed", where, `not JSON (${e instanceof Error ? e.message : String(e)})`);
        continue;
      }
      const { t, value } = (msg ?? {}) as { t?: unknown; value?: unknown };
      if (typeof t !== "number" || typeof value !== "number") {
        reject(s.name, "malformed", where, `expected { t: number, value: number }, got ${JSON.stringify(msg).slice(0, 80)}`);
        continue;
      }
      if (!Number.isFinite(t) || !Number.isFinite(value)) {
        reject(s.name, "nonfinite", where, `t=${t} value=${value}`);
        continue;
      }
      s.t.push(t);
      s.v.push(value);
    }
    const out: DriveChannel[] = [];
    for (const s of series.values()) {
      if (s.t.length === 0) continue;
      // Log times were clamped at 0 and tie by file order: restore time order, stably.
      const order = s.t.map((_, i) => i).sort((a, b) => s.t[a] - s.t[b] || a - b);
      out.push({
        name: s.name,
        unit: channelInfo(s.name).unit,
        t: Float64Array.from(order, (i) => s.t[i]),
        values: Float64Array.from(order, (i) => s.v[i]),
        source: `${path}:${SAMPLE_TOPIC_PREFIX}${s.name}`,
      });
    }
    return { name: basename(path, extname(path)), path, format: "mcap", channels: out, rejected, issues };
  } finally {
    await handle.close();
  }
}
