// The live node on a VirtualTimeScheduler: the same operator chain as on the wall clock, stepped exactly, so the
// fault behaviour (silent source, throwing predictor, NaN prediction, throwing sink, bad stamps) is tested tick by tick.
import { VirtualAction, VirtualTimeScheduler } from "rxjs";
import { describe, expect, it } from "vitest";
import type { ActionSink } from "../../bridges/codec/live.js";
import type { Predictor } from "../../dynamics/types.js";
import type { Sample } from "../../perception/types.js";
import { policyPreset } from "../../policy/presets.js";
import type { Command } from "../../policy/types.js";
import { startLiveNode, type LiveNodeOptions } from "../../runtime/live/index.js";
import { holdLastModel, memorySource, recordingSink } from "./live-support.js";

const T0 = 5000; // an arbitrary source clock: the node anchors on the first sample
const HZ = 50;

/** A smooth drive at HZ on every feature channel; `stamp` maps sim time to the source's stamp. */
function driveSamples(i: number, stamp = (t: number) => T0 + t): Sample[] {
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
  return Object.entries(v).map(([channel, value]) => ({ channel, t: stamp(t), value }));
}

interface Run {
  sink: ReturnType<typeof recordingSink>;
  src: ReturnType<typeof memorySource>;
  node: ReturnType<typeof startLiveNode>;
  scheduler: VirtualTimeScheduler;
}

/** Feeds `seconds` of drive (sample i at virtual ms i*20, through `edit`), then runs the clock to `untilMs`. */
function runNode(seconds: number, untilMs: number, opts: Partial<LiveNodeOptions> = {}, edit: (s: Sample[], i: number) => unknown[] = (s) => s): Run {
  const scheduler = new VirtualTimeScheduler(VirtualAction, untilMs);
  const src = memorySource();
  const sink = recordingSink();
  const node = startLiveNode({
    model: holdLastModel(),
    policy: policyPreset("robot-1-10"),
    sources: [src],
    sinks: [sink],
    scheduler,
    timer: () => 0,
    ...opts,
    ...(opts.sinks ? { sinks: [...opts.sinks, sink] } : {}),
  });
  for (let i = 0; i < seconds * HZ; i++)
    scheduler.schedule(() => {
      for (const s of edit(driveSamples(i), i)) src.push(s as Sample);
    }, (i * 1000) / HZ);
  scheduler.flush();
  return { sink, src, node, scheduler };
}

const finite = (c: Command) => Object.values(c.values).every(Number.isFinite) && Number.isFinite(c.t);

describe("live node on virtual time", () => {
  it("one command and one prediction per frame; a silent source gets ticks and falls back, then stops", async () => {
    const { sink, node, src } = runNode(2, 3000);
    const s = node.stats();
    expect(s.samples.in).toBe(2 * HZ * 6);
    expect(s.frames).toBeGreaterThanOrEqual(55); // ticks run to 3 s although data ends at 2 s
    expect(sink.commands.length).toBe(s.frames);
    expect(sink.predictions.length).toBe(s.frames);
    expect(sink.commands.every(finite)).toBe(true);
    // Frames are on the source clock, one per 50 ms.
    const ts = sink.commands.map((c) => c.t);
    for (let i = 1; i < ts.length; i++) expect(ts[i]! - ts[i - 1]!).toBeCloseTo(0.05, 9);
    expect(ts[0]).toBeGreaterThanOrEqual(T0);
    const during = sink.commands.filter((c) => c.t <= T0 + 1.9);
    const after = sink.commands.filter((c) => c.t >= T0 + 2.5);
    expect(during.every((c) => c.mode === "model")).toBe(true);
    expect(during.length).toBeGreaterThan(30);
    expect(after.length).toBeGreaterThan(5);
    expect(after.every((c) => c.mode === "stop")).toBe(true);
    expect(sink.commands.some((c) => c.mode === "fallback")).toBe(true);
    expect(s.commands).toMatchObject({ total: s.frames });
    expect(s.commands.model + s.commands.fallback + s.commands.stop).toBe(s.frames);
    // Status changes (refreshes with the same state and detail carry fresh counts only).
    const changes = sink.statuses.filter((x, i, a) => i === 0 || x.state !== a[i - 1]!.state || x.detail !== a[i - 1]!.detail);
    expect(changes.map((x) => x.state)).toEqual(["online", "online", "degraded", "degraded"]);
    expect(changes[2]!.detail).toMatch(/stale_channel/);

    await node.stop();
    expect(sink.statuses.at(-1)).toMatchObject({ state: "offline", detail: "stopped" });
    expect(node.stats().state).toBe("offline");
    expect(src.closed && sink.closed).toBe(true);
  });

  it("a predictor that throws is a fault, never a crash or a NaN command", async () => {
    let n = 0;
    const flaky = (p: Predictor): Predictor => ({
      name: "flaky",
      reset: () => p.reset(),
      step(frame) {
        const out = p.step(frame);
        if (++n % 4 === 0) throw new Error(`injected failure ${n}`);
        return out;
      },
    });
    const { sink, node } = runNode(2, 2000, { model: holdLastModel(flaky) });
    const s = node.stats();
    expect(s.predictor_errors).toBe(Math.floor(s.frames / 4));
    expect(s.predictor_errors).toBeGreaterThan(5);
    expect(sink.commands.length).toBe(s.frames);
    expect(sink.predictions.length).toBe(s.frames - s.predictor_errors);
    expect(sink.commands.every(finite)).toBe(true);
    expect(s.commands.fallback + s.commands.stop).toBeGreaterThan(0);
    await node.stop();
  });

  it("a NaN prediction is not published, and the command made from it is finite", async () => {
    let n = 0;
    const nan = (p: Predictor): Predictor => ({
      name: "nan",
      reset: () => p.reset(),
      step(frame) {
        const out = p.step(frame);
        if (++n % 5 === 0) out.mean.fill(NaN);
        return out;
      },
    });
    const { sink, node } = runNode(2, 2000, { model: holdLastModel(nan) });
    const s = node.stats();
    expect(s.nonfinite_predictions).toBe(Math.floor(s.frames / 5));
    expect(sink.predictions.every((p) => p.mean.every(Number.isFinite))).toBe(true);
    expect(sink.commands.length).toBe(s.frames);
    expect(sink.commands.every(finite)).toBe(true);
    expect(s.commands.fallback + s.commands.stop).toBeGreaterThan(0);
    await node.stop();
  });

  it("a sink that throws is counted; the other sinks get every command", async () => {
    const broken: ActionSink = {
      ...recordingSink(),
      publishCommand: () => {
        throw new Error("actuator link down");
      },
    };
    const { sink, node } = runNode(1, 1000, { sinks: [broken] });
    const s = node.stats();
    expect(s.sink_errors).toBe(s.frames);
    expect(sink.commands.length).toBe(s.frames);
    expect(s.frames).toBeGreaterThan(10);
    await node.stop();
  });

  it("bad samples are counted by reason and the good ones beside them still make frames", async () => {
    const garbage: unknown[] = [
      { channel: "speed", t: T0, value: NaN },
      { channel: "speed", t: NaN, value: 1 },
      { channel: "speed", t: T0, value: "fast" },
      { channel: "speed", t: T0, value: 500 },
      null,
    ];
    const { sink, node } = runNode(2, 2000, {}, (good, i) => (i % 10 === 5 ? [...good, garbage[(i / 10) % garbage.length | 0]] : good));
    const s = node.stats();
    expect(s.rejected.perception).toMatchObject({ nonfinite: expect.any(Number), wrong_type: expect.any(Number), out_of_range: expect.any(Number) });
    expect(s.rejected.total).toBe(10);
    expect(s.samples.in).toBe(2 * HZ * 6 + 10);
    expect(sink.commands.filter((c) => c.mode === "model").length).toBeGreaterThan(30);
    expect(sink.commands.every(finite)).toBe(true);
    await node.stop();
  });

  it("one sample stamped far in the future is refused instead of making every later sample late", async () => {
    const { sink, node } = runNode(2, 2000, {}, (good, i) => (i === 20 ? [...good, { channel: "speed", t: T0 + 1000, value: 2 }] : good));
    const s = node.stats();
    expect(s.rejected.perception).toEqual({ clock: 1 });
    expect(s.rejected.perception_by_channel).toEqual({ speed: { clock: 1 } });
    expect(sink.commands.filter((c) => c.t <= T0 + 1.8).every((c) => c.mode === "model")).toBe(true);
    await node.stop();
  });

  it("a source clock that restarts (sim reset) is re-anchored and the node commands again", async () => {
    // After 1 s the stamps restart 100 s earlier, as when a simulator or ROS time is reset.
    const { sink, node } = runNode(3, 3000, {}, (good, i) => (i < HZ ? good : good.map((s) => ({ ...s, t: s.t - 100 }))));
    const s = node.stats();
    expect(s.clock_resets).toBe(1);
    const last = sink.commands.at(-1)!;
    expect(last.t).toBeLessThan(T0);
    expect(last.mode).toBe("model");
    // The predictor starts over on the new timeline instead of answering from the frozen one.
    const lastPrediction = sink.predictions.at(-1)!;
    expect(lastPrediction.t0).toBeLessThan(T0);
    expect(lastPrediction.t0).toBeCloseTo(last.t + lastPrediction.dt, 6);
    expect(sink.commands.every(finite)).toBe(true);
    await node.stop();
  });

  it("reports degraded while a source is disconnected", async () => {
    const scheduler = new VirtualTimeScheduler(VirtualAction, 1000);
    const src = memorySource();
    const sink = recordingSink();
    const node = startLiveNode({ model: holdLastModel(), policy: policyPreset("robot-1-10"), sources: [src], sinks: [sink], scheduler, timer: () => 0 });
    for (let i = 0; i < HZ; i++)
      scheduler.schedule(() => {
        if (i === 25) src.connected = false;
        for (const s of driveSamples(i)) src.push(s);
      }, (i * 1000) / HZ);
    scheduler.flush();
    expect(sink.statuses.map((s) => s.state)).toContain("degraded");
    expect(sink.statuses.find((s) => s.state === "degraded")!.detail).toBe("source 0 disconnected");
    await node.stop();
  });
});
