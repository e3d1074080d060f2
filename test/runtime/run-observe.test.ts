// Issue 8, reproduction 9 (all but the status topic's counts): stderr logged only the first 5 errors of a run and the
// per-reason breakdown appeared only at exit. Now: Prometheus /metrics and /healthz on a running node, structured
// JSON logs, and repeats limited per kind of message (so a second kind of fault is still seen after the first).
import { mkdtempSync, readFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import mqtt from "mqtt";
import { beforeAll, describe, expect, it } from "vitest";
import { createLogger, messageKind } from "../../runtime/log.js";
import { main } from "../../runtime/main.js";
import { writeTinyModel } from "./live-support.js";

let modelDir: string;
beforeAll(async () => {
  modelDir = mkdtempSync(join(tmpdir(), "lam-observe-model-"));
  await writeTinyModel(modelDir);
});

/** Prometheus text format → "name{labels}" → value (labels as written by prom-client, sorted as it sorts them). */
function parseProm(text: string): Map<string, number> {
  const out = new Map<string, number>();
  for (const line of text.split("\n")) {
    if (!line || line.startsWith("#")) continue;
    const i = line.lastIndexOf(" ");
    out.set(line.slice(0, i), Number(line.slice(i + 1)));
  }
  return out;
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** `lam run` in-process until `stop()`; stderr readable while it runs. */
function runLam(...argv: string[]) {
  const out: string[] = [];
  const err: string[] = [];
  const done = main(["run", ...argv], { stdout: { write: (s: string) => out.push(s) }, stderr: { write: (s: string) => err.push(s) } });
  return {
    err: () => err.join(""),
    out: () => out.join(""),
    async waitFor(re: RegExp, ms = 60_000): Promise<RegExpMatchArray> {
      const t0 = Date.now();
      for (;;) {
        const m = re.exec(err.join(""));
        if (m) return m;
        if (Date.now() - t0 > ms) throw new Error(`no ${re} on stderr:\n${err.join("")}`);
        await sleep(50);
      }
    },
    async stop(): Promise<number> {
      process.emit("SIGINT");
      return done;
    },
  };
}

describe("lam run --metrics: Prometheus /metrics and /healthz while it runs", () => {
  it("serves the node's counters, the tick histogram, broker state and the model's sha256; healthz answers 200", async () => {
    const lam = runLam("--demo", "--model", modelDir, "--broker-port", "0", "--metrics", "0", "--vehicle", "obs");
    const base = (await lam.waitFor(/metrics on (http:\/\/127\.0\.0\.1:\d+)\/metrics/))[1]!;
    let m = new Map<string, number>();
    const t0 = Date.now();
    while ((m.get("lam_frames_total") ?? 0) < 20 && Date.now() - t0 < 60_000) {
      await sleep(200);
      const res = await fetch(`${base}/metrics`);
      expect(res.status).toBe(200);
      expect(res.headers.get("content-type")).toMatch(/^text\/plain; version=0\.0\.4/);
      m = parseProm(await res.text());
    }
    const frames = m.get("lam_frames_total")!;
    expect(frames).toBeGreaterThanOrEqual(20);
    const commands = ["model", "fallback", "stop"].map((mode) => m.get(`lam_commands_total{mode="${mode}"}`) ?? NaN);
    expect(commands.every(Number.isFinite)).toBe(true);
    // Every tick either sent a command or counted why not (paced, or too late on a loaded machine).
    const unsent = ["late", "paced"].map((why) => m.get(`lam_commands_unsent_total{why="${why}"}`) ?? 0);
    expect([...commands, ...unsent].reduce((a, b) => a + b, 0)).toBeGreaterThan(0);
    // One latency observation per tick the decider timed (the scrape reads counters a moment apart).
    expect(m.get("lam_tick_seconds_count")).toBeGreaterThan(0.8 * frames);
    expect(m.get('lam_tick_seconds_bucket{le="+Inf"}')).toBe(m.get("lam_tick_seconds_count"));
    expect(m.get("lam_predictions_total")).toBeGreaterThan(0);
    expect(m.get('lam_broker_connected{sink="0"}')).toBe(1);
    const states = ["starting", "online", "degraded", "offline"].filter((state) => m.get(`lam_node_state{state="${state}"}`) === 1);
    expect(states).toHaveLength(1);
    expect(["online", "degraded"]).toContain(states[0]);
    const sha = (JSON.parse(readFileSync(join(modelDir, "lam.json"), "utf8")) as { weightsSha256: string }).weightsSha256;
    expect(m.get(`lam_model_info{name="${modelDir.split("/").at(-1)}",sha256="${sha}"}`)).toBe(1);
    expect(m.has("lam_deadline_misses_total")).toBe(true);
    expect(m.get("lam_process_resident_memory_bytes")).toBeGreaterThan(0);

    const health = await fetch(`${base}/healthz`);
    expect(health.status).toBe(200);
    const h = (await health.json()) as { healthy: boolean; state: string; broker_connected: boolean[]; frames: number };
    expect(h).toMatchObject({ healthy: true, broker_connected: [true] });
    expect(["online", "degraded"]).toContain(h.state);
    expect(h.frames).toBeGreaterThanOrEqual(frames);
    expect((await fetch(`${base}/nothing`)).status).toBe(404);

    expect(await lam.stop()).toBe(0);
    // Closed with the node.
    await expect(fetch(`${base}/metrics`)).rejects.toThrow();
  }, 90_000);

  it("rejections by reason are on /metrics while the node runs; JSON logs show both kinds of fault, each limited", async () => {
    const lam = runLam("--model", modelDir, "--broker-port", "0", "--metrics", "0", "--vehicle", "bad", "--log-format", "json");
    const base = (await lam.waitFor(/metrics on (http:\/\/127\.0\.0\.1:\d+)\/metrics/))[1]!;
    const url = (await lam.waitFor(/built-in MQTT broker on (mqtt:\/\/127\.0\.0\.1:\d+)/))[1]!;
    const feeder = await mqtt.connectAsync(url, { protocolVersion: 4, reconnectPeriod: 0 });
    // Two kinds of bad input, 12 of each: a payload that is not msgpack, and one over the size limit.
    for (let i = 0; i < 12; i++) await feeder.publishAsync("lam/bad/in/speed", Buffer.from([0xc1, i]));
    for (let i = 0; i < 12; i++) await feeder.publishAsync("lam/bad/in/speed", Buffer.alloc(300 * 1024, i));
    let m = new Map<string, number>();
    const t0 = Date.now();
    while ((m.get('lam_rejected_samples_total{stage="bridge",reason="oversized"}') ?? 0) < 12 && Date.now() - t0 < 20_000) {
      await sleep(100);
      m = parseProm(await (await fetch(`${base}/metrics`)).text());
    }
    expect(m.get('lam_rejected_samples_total{stage="bridge",reason="malformed"}')).toBe(12);
    expect(m.get('lam_rejected_samples_total{stage="bridge",reason="oversized"}')).toBe(12);
    await feeder.endAsync();
    expect(await lam.stop()).toBe(0);

    // Every stderr line is one JSON object (pino): level, time, msg.
    const records = lam
      .err()
      .trim()
      .split("\n")
      .map((l) => JSON.parse(l) as { level: number; time: string; msg: string; name: string; repeated?: number });
    expect(records.every((r) => typeof r.level === "number" && typeof r.msg === "string" && r.name === "lam run" && !Number.isNaN(Date.parse(r.time)))).toBe(true);
    const warnings = records.filter((r) => r.level === 40);
    const malformed = warnings.filter((r) => /malformed/.test(r.msg) && r.repeated === undefined);
    const oversized = warnings.filter((r) => /oversized/.test(r.msg) && r.repeated === undefined);
    // Before: the first 5 errors of the whole run, then silence (the oversized payloads were never logged).
    expect(malformed).toHaveLength(5);
    expect(oversized).toHaveLength(5);
    // The rest of each kind is summarised (at the latest when the node stops).
    const summaries = warnings.filter((r) => r.repeated !== undefined);
    expect(summaries.map((r) => r.repeated).sort()).toEqual([7, 7]);
    expect(summaries.every((r) => r.msg.startsWith("repeated 7 more times: "))).toBe(true);
  }, 90_000);
});

describe("the logger (runtime/log.ts)", () => {
  it("limits repeats per kind of message within a window, then says how many it held back", () => {
    let now = 0;
    const lines: string[] = [];
    const log = createLogger({ name: "t", write: (l) => lines.push(l), repeats: { perWindow: 2, windowMs: 1000, maxKinds: 8 }, now: () => now });
    for (let i = 0; i < 6; i++) log.warn(`sample rejected: late: t=${i}.5 is behind`);
    log.warn("sink threw: boom");
    expect(lines).toEqual(["t: warning: sample rejected: late: t=0.5 is behind\n", "t: warning: sample rejected: late: t=1.5 is behind\n", "t: warning: sink threw: boom\n"]);
    now = 1500;
    log.warn("sample rejected: late: t=9.5 is behind");
    expect(lines.slice(3)).toEqual(["t: warning: repeated 4 more times: sample rejected: late: t=0.5 is behind\n", "t: warning: sample rejected: late: t=9.5 is behind\n"]);
    log.info("info lines are not limited");
    log.info("info lines are not limited");
    expect(lines.filter((l) => l.includes("not limited"))).toHaveLength(2);
  });

  it("levels: below the level nothing is written; json gives one object per line", () => {
    const lines: string[] = [];
    const log = createLogger({ name: "t", level: "warn", format: "json", write: (l) => lines.push(l) });
    log.info("quiet");
    log.warn("loud", { channel: "speed" });
    expect(lines).toHaveLength(1);
    expect(JSON.parse(lines[0]!)).toMatchObject({ level: 40, msg: "loud", channel: "speed", name: "t" });
  });

  it("kinds ignore numbers and quoted values", () => {
    expect(messageKind('sample rejected: late: speed t=12.25 "x"')).toBe(messageKind('sample rejected: late: speed t=1e9 "y"'));
    expect(messageKind("sample rejected: late")).not.toBe(messageKind("sample rejected: stale"));
  });
});
