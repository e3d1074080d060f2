// Soak: the live node (bundled LSTM model, policy, real MQTT bridge) fed every model channel at 100 Hz over
// loopback MQTT (a real Mosquitto, or the embedded broker where Mosquitto is missing) for N minutes, from a real
// F1TENTH drive played in a loop on the wall clock by a feeder in its own process (fuzz/feeder.ts). Each interval (default one minute) samples this process's
// RSS and heap, the node's tick p99 over that interval, commands received back from the broker and any
// non-finite one; prints the table and whether RSS and tick p99 stay within 10% of the first interval's value.
// Uses the public live-node API only (startLiveNode, handed in by runtime/ as a BenchLive; openMqttBridge), so it
// follows the node as it changes.
import { resolve } from "node:path";
import mqtt from "mqtt";
import { loadCsvDrive } from "../bridges/csv/index.js";
import { msgpackCodec } from "../bridges/codec/index.js";
import { openMqttBridge } from "../bridges/mqtt/index.js";
import type { BenchNodeStats, OpenBenchLive } from "./live-kit.js";
import { startBenchBroker } from "./fuzz/broker.js";
import { startFeeder } from "./fuzz/feeder.js";
import { type Trend, trend } from "./soak-trend.js";

export interface SoakOptions {
  readonly minutes: number;
  /** Seconds per row (default 60). */
  readonly sampleS?: number;
  /** Samples per second per channel (default 100). */
  readonly rateHz?: number;
  /**
   * Seconds run before the first interval starts (JIT, tfjs kernels, the clock's anchoring, and V8 growing its heap to
   * its steady size: with 30 s, RSS fell 20% after the first minute and climbed back over the next ten, then stayed
   * within 1% for twenty); default 600.
   */
  readonly warmupS?: number;
  /** The model, its policy and the live node (runtime/ supplies them: lam bench --model DIR). */
  readonly openLive: OpenBenchLive;
  readonly dataDir: string;
  readonly log?: (line: string) => void;
}

export interface SoakRow {
  readonly interval: number;
  readonly end_s: number;
  readonly rss_mb: number;
  readonly heap_mb: number;
  /** Memory of ArrayBuffers and C++ objects bound to JS (MQTT buffers, WebAssembly memories): outside the heap, inside RSS. */
  readonly external_mb: number;
  readonly broker_rss_mb: number | null;
  readonly samples_sent: number;
  readonly ticks: number;
  readonly tick_p50_ms: number | null;
  readonly tick_p99_ms: number | null;
  readonly commands: number;
  readonly model_commands: number;
  readonly stop_commands: number;
  readonly nonfinite_commands: number;
  readonly rss_ratio: number;
  readonly p99_ratio: number | null;
}

export interface SoakReport {
  readonly broker: string;
  readonly rate_hz: number;
  readonly channels: readonly string[];
  readonly rows: readonly SoakRow[];
  /** Every row's RSS within 10% of the first row's. */
  readonly rss_flat: boolean;
  /** Every row's tick p99 within 10% of the first row's. */
  readonly p99_flat: boolean;
  /** No row's tick p99 more than 10% above the first row's (growth, as opposed to noise in either direction). */
  readonly p99_no_growth: boolean;
  /** Drift of RSS and tick p99 over the run (bench/soak-trend.ts): medians of the first and last sixth, and a fitted line. */
  readonly rss_trend: Trend | null;
  readonly p99_trend: Trend | null;
  readonly warmup_s: number;
  readonly node: {
    readonly rejected: Readonly<Record<string, number>>;
    readonly deadline_misses: number;
    readonly clock_resets: number;
    readonly internal_errors: number;
    readonly unsent: Readonly<Record<string, number>>;
    readonly state: string;
    readonly fallback_reason: string | null;
  };
}

const TOLERANCE = 0.1;

function rejectedByReason(stats: BenchNodeStats): Record<string, number> {
  const out: Record<string, number> = {};
  for (const part of [stats.rejected.bridges, stats.rejected.perception] as Record<string, number | undefined>[]) {
    for (const [k, v] of Object.entries(part)) if (v) out[k] = (out[k] ?? 0) + v;
  }
  return out;
}

function percentile(xs: number[], p: number): number | null {
  if (xs.length === 0) return null;
  const s = Float64Array.from(xs).sort();
  return s[Math.min(s.length - 1, Math.max(0, Math.ceil((p / 100) * s.length) - 1))];
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const mb = (bytes: number) => Math.round((bytes / 2 ** 20) * 10) / 10;

export async function runSoak(opts: SoakOptions): Promise<SoakReport> {
  const log = opts.log ?? (() => {});
  const rate = opts.rateHz ?? 100;
  const sampleS = opts.sampleS ?? 60;
  const warmupS = opts.warmupS ?? 600;
  const totalS = warmupS + opts.minutes * 60;
  const broker = await startBenchBroker();
  const vehicle = `soak${process.pid}`;
  const live = await opts.openLive();
  const drive = await loadCsvDrive(resolve(opts.dataDir, "f1tenth/DS1"));
  const features = live.features;
  const channels = drive.channels.filter((c) => features.includes(c.name) && c.t.length > 1);

  const bridge = await openMqttBridge({ url: broker.url, vehicle, codec: "msgpack" });
  let tickMs: number[] = [];
  const node = live.start({
    sources: [bridge.source],
    sinks: [bridge.sink],
    name: "soak",
    onTick: (r) => void (r.tickMs !== undefined && tickMs.push(r.tickMs)),
  });

  const observer = await mqtt.connectAsync(broker.url, { protocolVersion: 5, reconnectPeriod: 1000, clientId: `soak-observer-${process.pid}` });
  let commands = 0;
  let modelCommands = 0;
  let stopCommands = 0;
  let nonfinite = 0;
  observer.on("message", (_topic, payload) => {
    const c = msgpackCodec.decode(payload) as { values?: Record<string, unknown>; mode?: string };
    commands++;
    if (c.mode === "model") modelCommands++;
    else if (c.mode === "stop") stopCommands++;
    if (!c.values || !Object.values(c.values).every((v) => typeof v === "number" && Number.isFinite(v))) nonfinite++;
  });
  await observer.subscribeAsync(`lam/${vehicle}/command`, { qos: 0 });
  const feeder = await startFeeder({ url: broker.url, vehicle, rate, channels: channels.map((c) => ({ name: c.name, t: Array.from(c.t), values: Array.from(c.values) })) });

  const rows: SoakRow[] = [];
  const start = performance.now();

  let nextRow = warmupS;
  let warm = false;
  let last = { sent: 0, commands: 0, model: 0, stop: 0, nonfinite: 0 };
  log(`soak: ${opts.minutes} min, ${channels.length} channels × ${rate} Hz into lam/${vehicle}/in/* via ${broker.kind} at ${broker.url}`);
  while (true) {
    const elapsed = (performance.now() - start) / 1000;
    const sent = feeder.sent();
    if (elapsed >= nextRow && !warm) {
      // End of the warm-up: nothing before this point is counted.
      warm = true;
      last = { sent, commands, model: modelCommands, stop: stopCommands, nonfinite };
      tickMs = [];
      nextRow += sampleS;
    } else if (elapsed >= nextRow) {
      const mem = process.memoryUsage();
      const brokerKb = await broker.rssKb();
      const p99 = percentile(tickMs, 99);
      const row: Omit<SoakRow, "rss_ratio" | "p99_ratio"> = {
        interval: rows.length + 1,
        end_s: Math.round(elapsed - warmupS),
        rss_mb: mb(mem.rss),
        heap_mb: mb(mem.heapUsed),
        external_mb: mb(mem.external),
        broker_rss_mb: brokerKb === null ? null : Math.round(brokerKb / 102.4) / 10,
        samples_sent: sent - last.sent,
        ticks: tickMs.length,
        tick_p50_ms: percentile(tickMs, 50),
        tick_p99_ms: p99,
        commands: commands - last.commands,
        model_commands: modelCommands - last.model,
        stop_commands: stopCommands - last.stop,
        nonfinite_commands: nonfinite - last.nonfinite,
      };
      const first = rows[0] ?? row;
      const full: SoakRow = {
        ...row,
        rss_ratio: row.rss_mb / first.rss_mb,
        p99_ratio: p99 === null || first.tick_p99_ms === null ? null : p99 / first.tick_p99_ms,
      };
      rows.push(full);
      log(formatRow(full));
      last = { sent, commands, model: modelCommands, stop: stopCommands, nonfinite };
      tickMs = [];
      nextRow += sampleS;
      if (nextRow > totalS + 1e-9) break;
    }
    await sleep(250);
  }
  const stats = node.stats();
  await node.stop();
  await bridge.close();
  await feeder.stop();
  await observer.endAsync();
  live.dispose();
  await broker.stop();
  const within = (r: number | null) => r !== null && Math.abs(r - 1) <= TOLERANCE;
  return {
    broker: broker.kind,
    rate_hz: rate,
    channels: channels.map((c) => c.name),
    rows,
    rss_flat: rows.every((r) => within(r.rss_ratio)),
    p99_flat: rows.every((r) => within(r.p99_ratio)),
    p99_no_growth: rows.every((r) => r.p99_ratio !== null && r.p99_ratio <= 1 + TOLERANCE),
    rss_trend: trend(rows.map((r) => r.rss_mb), TOLERANCE),
    p99_trend: trend(rows.map((r) => r.tick_p99_ms), TOLERANCE),
    warmup_s: warmupS,
    node: { rejected: rejectedByReason(stats), deadline_misses: stats.timing.deadline_misses, clock_resets: stats.clock_resets, internal_errors: stats.internal_errors, unsent: { ...stats.unsent }, state: stats.state, fallback_reason: stats.fallback_reason },
  };
}

const HEAD = ["#", "end s", "RSS MB", "×first", "heap MB", "external MB", "broker MB", "samples in", "ticks", "p50 ms", "p99 ms", "×first", "commands", "model", "stop", "non-finite"];

function cells(r: SoakRow): string[] {
  const f = (x: number | null, d = 2) => (x === null ? "-" : x.toFixed(d));
  return [
    String(r.interval),
    String(r.end_s),
    r.rss_mb.toFixed(1),
    f(r.rss_ratio, 3),
    r.heap_mb.toFixed(1),
    r.external_mb.toFixed(1),
    r.broker_rss_mb === null ? "-" : r.broker_rss_mb.toFixed(1),
    String(r.samples_sent),
    String(r.ticks),
    f(r.tick_p50_ms, 3),
    f(r.tick_p99_ms, 3),
    f(r.p99_ratio, 3),
    String(r.commands),
    String(r.model_commands),
    String(r.stop_commands),
    String(r.nonfinite_commands),
  ];
}

function formatRow(r: SoakRow): string {
  return `soak: ${cells(r).map((c, i) => `${HEAD[i]}=${c}`).join(" ")}`;
}

export function formatSoakTable(r: SoakReport): string {
  const rows = r.rows.map(cells);
  const widths = HEAD.map((h, i) => Math.max(h.length, ...rows.map((x) => x[i].length)));
  const line = (x: string[]) => x.map((c, i) => c.padStart(widths[i])).join("  ");
  return [
    `soak: live node, ${r.channels.length} channels × ${r.rate_hz} Hz over loopback MQTT (${r.broker}), ${r.rows.length} intervals after a ${r.warmup_s} s warm-up`,
    line(HEAD),
    line(widths.map((w) => "-".repeat(w))),
    ...rows.map(line),
    `RSS within 10% of the first interval: ${r.rss_flat ? "yes" : "NO"}; tick p99 within 10% of the first interval: ${r.p99_flat ? "yes" : "NO"} (never above +10%: ${r.p99_no_growth ? "yes" : "NO"})`,
    ...(["rss", "p99"] as const).map((k) => {
      const t = k === "rss" ? r.rss_trend : r.p99_trend;
      const name = k === "rss" ? "RSS MB" : "tick p99 ms";
      return t === null
        ? `${name} trend: too few intervals`
        : `${name} trend: median of the first sixth ${t.start.toFixed(3)}, of the last sixth ${t.end.toFixed(3)} (×${t.ratio.toFixed(3)}), fitted line ${(100 * t.line_change).toFixed(1)}% over the run: ${t.flat ? "flat" : "NOT flat"} within 10%`;
    }),
    `node: samples rejected ${JSON.stringify(r.node.rejected)}, ${r.node.deadline_misses} deadline misses, ${r.node.clock_resets} clock resets, ${r.node.internal_errors} internal errors, unsent ${JSON.stringify(r.node.unsent)}, state at the end ${r.node.state} (${r.node.fallback_reason ?? "no fallback"})`,
    "",
  ].join("\n");
}
