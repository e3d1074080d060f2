// Issue 8, reproductions 1, 2 and 5 on virtual time: stamps no clock can mean, a stamp far ahead, and the backlog a
// broker delivers at once after a stall. None may move the node's source clock, stall its commands or flood them.
import { VirtualAction, VirtualTimeScheduler } from "rxjs";
import { describe, expect, it } from "vitest";
import type { Sample } from "../../perception/types.js";
import { policyPreset } from "../../policy/presets.js";
import type { Command } from "../../policy/types.js";
import { startLiveNode, type LiveNode } from "../../runtime/live/index.js";
import { holdLastModel, memorySource, recordingSink } from "./live-support.js";

const T0 = 5000;
const HZ = 50;
const CHANNELS = ["speed", "yaw_rate", "accel", "lat_accel", "speed_cmd", "steer_cmd"];

function samplesAt(i: number): Sample[] {
  const t = i / HZ;
  const speed = 2 + 0.5 * Math.sin(t);
  const v: Record<string, number> = {
    speed,
    yaw_rate: 0.3 * Math.sin(0.7 * t),
    accel: 0.5 * Math.cos(t),
    lat_accel: speed * 0.3 * Math.sin(0.7 * t),
    speed_cmd: speed + 0.1,
    steer_cmd: 0.05 * Math.sin(0.7 * t),
  };
  return Object.entries(v).map(([channel, value]) => ({ channel, t: T0 + t, value }));
}

interface Sent {
  readonly cmd: Command;
  /** Virtual ms it was published. */
  readonly atMs: number;
}

/**
 * Runs the node to `untilMs`; `deliver(i)` says at which virtual ms the samples made at i*20 ms arrive (a stall
 * delays them), `extra(i)` adds samples at i's arrival. Stops the node after `maxCommands` (a runaway tick loop on
 * old code would otherwise never let the virtual clock advance).
 */
function run(opts: {
  untilMs: number;
  seconds: number;
  deliver?: (i: number) => number;
  extra?: (i: number) => unknown[];
  honest?: (i: number) => boolean;
  maxCommands?: number;
}) {
  const scheduler = new VirtualTimeScheduler(VirtualAction, opts.untilMs);
  const src = memorySource();
  const rec = recordingSink();
  const sent: Sent[] = [];
  let node: LiveNode | undefined;
  const sink = {
    ...rec,
    publishCommand(cmd: Command) {
      sent.push({ cmd, atMs: scheduler.now() });
      if (sent.length === (opts.maxCommands ?? 10_000)) void node!.stop();
    },
  };
  node = startLiveNode({ model: holdLastModel(), policy: policyPreset("robot-1-10"), sources: [src], sinks: [sink], scheduler, timer: () => 0 });
  for (let i = 0; i < opts.seconds * HZ; i++) {
    const at = opts.deliver ? opts.deliver(i) : (i * 1000) / HZ;
    scheduler.schedule(() => {
      if (opts.honest?.(i) ?? true) for (const s of samplesAt(i)) src.push(s);
      for (const s of opts.extra?.(i) ?? []) src.push(s as Sample);
    }, at);
  }
  scheduler.flush();
  return { node: node, sent, statuses: rec.statuses, scheduler };
}

/** Source-clock age (s) of a command when it went out: the sample stamped t was made at virtual (t - T0) s. */
const age = (s: Sent) => s.atMs / 1000 - (s.cmd.t - T0);

describe("the live node's time model under hostile stamps", () => {
  it("#1: 30 samples with t = 1e300 on every model channel neither re-anchor the clock nor flood or freeze the commands", async () => {
    const bad = (i: number) => (i >= 50 && i < 80 ? CHANNELS.map((channel) => ({ channel, t: 1e300, value: 2.345 })) : []);
    const { node, sent } = run({ untilMs: 3000, seconds: 3, extra: bad, maxCommands: 500 });
    const s = node.stats();
    expect(s.clock_resets).toBe(0);
    // At most one command per control period (20 Hz) over 3 s of virtual time, and the model keeps commanding.
    expect(sent.length).toBeLessThanOrEqual(3 * 20 + 1);
    expect(s.rejected.perception.clock).toBe(30 * CHANNELS.length);
    for (let k = 1; k < sent.length; k++) expect(sent[k]!.atMs - sent[k - 1]!.atMs).toBeGreaterThanOrEqual(25);
    expect(sent.filter((x) => x.cmd.t > T0 + 1.2 && x.cmd.t < T0 + 2.8).every((x) => x.cmd.mode === "model")).toBe(true);
    await node.stop();
  });

  it("#1: a sustained burst of 1e300 stamps while the honest sources are silent cannot anchor either; commands stop at 0 m/s", async () => {
    // Honest data for 1 s, then only t = 1e300 for 2 s: the node must fall back and stop on its own clock.
    const bad = (i: number) => (i >= 50 ? CHANNELS.map((channel) => ({ channel, t: 1e300, value: 2.345 })) : []);
    const { node, sent } = run({ untilMs: 5000, seconds: 3, honest: (i) => i < 50, extra: bad, maxCommands: 500 });
    const s = node.stats();
    expect(s.clock_resets).toBe(0);
    expect(s.rejected.perception.clock).toBe(100 * CHANNELS.length);
    expect(sent.length).toBeLessThanOrEqual(5 * 20 + 1);
    const last = sent.at(-1)!.cmd;
    expect(last.mode).toBe("stop");
    expect(last.values.speed_cmd).toBe(0);
    await node.stop();
  });

  it("#2: one sample stamped an hour ahead is refused; every honest sample after it is used", async () => {
    const { node, sent } = run({ untilMs: 2000, seconds: 2, extra: (i) => (i === 20 ? [{ channel: "speed", t: T0 + 3600, value: 2 }] : []) });
    const s = node.stats();
    expect(s.rejected.perception).toEqual({ clock: 1 });
    expect(s.clock_resets).toBe(0);
    expect(sent.filter((x) => x.cmd.t > T0 + 0.5 && x.cmd.t <= T0 + 1.8).every((x) => x.cmd.mode === "model")).toBe(true);
    await node.stop();
  });

  it("#5: the backlog a stalled broker delivers at once does not re-anchor the clock; command age returns to the pipeline latency", async () => {
    // Samples made during 2..10 s are held (the broker is stopped) and all arrive at 10 s, then live again.
    const deliver = (i: number) => {
      const ms = (i * 1000) / HZ;
      return ms >= 2000 && ms < 10_000 ? 10_000 : ms;
    };
    const { node, sent, statuses } = run({ untilMs: 14_000, seconds: 14, deliver });
    const s = node.stats();
    expect(s.clock_resets).toBe(0);
    const before = sent.filter((x) => x.atMs > 1000 && x.atMs < 2000).map(age);
    const after = sent.filter((x) => x.atMs > 11_000).map(age);
    expect(before.length).toBeGreaterThan(15);
    expect(after.length).toBeGreaterThan(50);
    // Latency of the pipeline (window 0.1 + lookahead 0.1 + slack) both before the stall and after it.
    for (const a of [...before, ...after]) expect(a).toBeLessThan(0.25);
    expect(sent.filter((x) => x.atMs > 11_000).every((x) => x.cmd.mode === "model")).toBe(true);
    // The status changes once into the fault and once back: no flapping on the backlog.
    const changes = statuses.filter((x, i, a) => i > 0 && (x.state !== a[i - 1]!.state || x.detail !== a[i - 1]!.detail));
    expect(changes.length).toBeLessThanOrEqual(5);
    await node.stop();
  });

  it("a source clock restart is still followed, on sustained evidence from several channels", async () => {
    const extra = () => [];
    const scheduler = new VirtualTimeScheduler(VirtualAction, 3000);
    const src = memorySource();
    const sink = recordingSink();
    const node = startLiveNode({ model: holdLastModel(), policy: policyPreset("robot-1-10"), sources: [src], sinks: [sink], scheduler, timer: () => 0 });
    for (let i = 0; i < 3 * HZ; i++)
      scheduler.schedule(() => {
        for (const s of samplesAt(i)) src.push(i < HZ ? s : { ...s, t: s.t - 100 });
        extra();
      }, (i * 1000) / HZ);
    scheduler.flush();
    const s = node.stats();
    expect(s.clock_resets).toBe(1);
    expect(sink.commands.at(-1)!.t).toBeLessThan(T0);
    expect(sink.commands.at(-1)!.mode).toBe("model");
    await node.stop();
  });

  it("one channel alone on another clock never re-anchors (one broken sensor, however long)", async () => {
    const { node, sent } = run({ untilMs: 3000, seconds: 3, extra: (i) => (i >= 25 ? [{ channel: "yaw_rate", t: T0 + 50 + i / HZ, value: 0.1 }] : []) });
    const s = node.stats();
    expect(s.clock_resets).toBe(0);
    expect(s.rejected.perception.clock).toBe(3 * HZ - 25);
    expect(sent.filter((x) => x.cmd.t > T0 + 1 && x.cmd.t < T0 + 2.8).every((x) => x.cmd.mode === "model")).toBe(true);
    await node.stop();
  });

  it("a sustained stream of plausible stamps an hour ahead on every channel cannot re-anchor while the honest sources live", async () => {
    const bad = (i: number) => (i >= 25 ? CHANNELS.map((channel) => ({ channel, t: T0 + 3600 + i / HZ, value: 9 })) : []);
    const { node, sent } = run({ untilMs: 3000, seconds: 3, extra: bad });
    const s = node.stats();
    expect(s.clock_resets).toBe(0);
    expect(s.rejected.perception.clock).toBe((3 * HZ - 25) * CHANNELS.length);
    expect(sent.filter((x) => x.cmd.t > T0 + 0.5 && x.cmd.t < T0 + 2.8).every((x) => x.cmd.mode === "model")).toBe(true);
    await node.stop();
  });

  it("status carries the counts, refreshed once a second", async () => {
    const { node, statuses } = run({ untilMs: 3000, seconds: 2, extra: (i) => (i === 10 ? [{ channel: "speed", t: T0 + 3600, value: 2 }] : []) });
    const last = statuses.at(-1)!;
    expect(statuses.length).toBeGreaterThanOrEqual(4);
    expect(last.counts).toMatchObject({ rejected: { clock: 1 }, deadline_misses: 0, clock_resets: 0, fallback_reason: "stale_channel" });
    expect(last.counts!.frames).toBeGreaterThan(40);
    expect(last.counts!.commands.model).toBeGreaterThan(30);
    expect(last.counts!.commands.stop).toBeGreaterThan(0);
    await node.stop();
  });
});
