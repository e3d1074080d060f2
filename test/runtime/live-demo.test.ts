// The demo vehicle (simulator samples replayed on the wall clock) and the node's small time/stat helpers.
import { afterEach, describe, expect, it, vi } from "vitest";
import type { Sample } from "../../perception/types.js";
import { recordDemoDrive, startDemoPublisher } from "../../runtime/demo.js";
import { SourceClock } from "../../runtime/live/clock.js";
import { TickTimes } from "../../runtime/live/stats.js";

afterEach(() => void vi.useRealTimers());

describe("demo vehicle", () => {
  const drive = recordDemoDrive();

  it("records what the robot-track sensors delivered each tick, the executed commands included; deterministic", () => {
    expect(drive.scenario).toBe("robot-track");
    expect(drive.ticks).toHaveLength(16 * 40);
    const channels = new Set(drive.ticks.flatMap((t) => t.samples.map((s) => s.channel)));
    // The vehicle's sensors, and (since the demo drives the scene-aware model) the scene sensor's path/lead channels.
    expect([...channels].sort()).toEqual(expect.arrayContaining(["accel", "heading", "lat_accel", "speed", "speed_cmd", "steer", "steer_cmd", "x", "y", "yaw_rate"]));
    for (const tick of drive.ticks) for (const s of tick.samples) expect(s.t).toBeLessThanOrEqual(tick.t + 1e-9);
    const speeds = drive.ticks.flatMap((t) => t.samples.filter((s) => s.channel === "speed").map((s) => s.value as number));
    expect(Math.max(...speeds)).toBeGreaterThan(2); // it drives: the reference speeds up towards 2.5 m/s
    expect(JSON.stringify(recordDemoDrive())).toBe(JSON.stringify(drive));
    expect(() => recordDemoDrive("no-such-scenario")).toThrow(/no scenario "no-such-scenario".*robot-track/);
  });

  it("publishes each tick at start + t, re-stamped onto the wall clock, and loops with time going forward", async () => {
    vi.useFakeTimers({ now: 1_700_000_000_000 });
    const got: Sample[] = [];
    const pub = startDemoPublisher({ drive, publish: async (s) => void got.push(s), now: () => Date.now() });
    const startS = 1_700_000_000;
    expect(got.every((s) => s.t === startS)).toBe(true); // tick 0 goes out at once
    await vi.advanceTimersByTimeAsync(1000);
    // Nothing is sent before its time: every stamp is at or before the (fake) wall clock.
    expect(got.at(-1)!.t).toBeLessThanOrEqual(Date.now() / 1000);
    expect(got.at(-1)!.t).toBeGreaterThan(Date.now() / 1000 - 0.06);
    await vi.advanceTimersByTimeAsync(20_000);
    expect(pub.stats().laps).toBe(1);
    const speed = got.filter((s) => s.channel === "speed").map((s) => s.t);
    for (let i = 1; i < speed.length; i++) expect(speed[i]).toBeGreaterThan(speed[i - 1]!);
    expect(pub.stats()).toMatchObject({ published: got.length, failed: 0 });
    pub.stop();
    const n = got.length;
    await vi.advanceTimersByTimeAsync(1000);
    expect(got.length).toBe(n);
  });
});

describe("SourceClock", () => {
  it("anchors once two channels agree, refuses stamps far ahead or behind as 'clock', re-anchors only on sustained evidence", () => {
    const c = new SourceClock({ maxAheadS: 1, maxBehindS: 1, resetAfter: 3, resetChannels: 2, resetSpanS: 0.1 });
    expect(c.check(500, 0, "speed")).toBe("pending");
    expect(c.check(500, 0, "speed")).toBe("pending"); // the same channel twice is not agreement
    expect(c.check(500.01, 10, "yaw_rate")).toBe("anchor");
    expect(c.origin).toBe(500);
    expect(c.check(500.5, 400, "speed")).toBeUndefined();
    expect(c.check(510, 400, "speed")).toMatchObject({ reason: "clock", message: /ahead/ });
    expect(c.check(498, 400, "speed")).toMatchObject({ reason: "clock", message: /behind/ });
    expect(c.check(1e300, 400, "speed")).toMatchObject({ reason: "clock", message: /not a plausible time/ });
    expect(c.check(500.4, 400, "speed")).toBeUndefined(); // a good one clears the evidence
    // A burst: enough samples and channels, but no time spanned.
    for (let i = 0; i < 5; i++) expect(c.check(10 + i * 0.01, 500, i % 2 ? "speed" : "accel")).toMatchObject({ reason: "clock" });
    expect(c.resets).toBe(0);
    // Sustained: the same other clock over 0.1 s of node time.
    expect(c.check(10.1, 600, "speed")).toBe("anchor");
    expect(c.resets).toBe(1);
    expect(c.sourceNow(1500)).toBeCloseTo(11, 9); // the evidence's first sample: 10 at 0.5 s
  });
});

describe("TickTimes", () => {
  it("nearest-rank percentiles over the last `size` ticks; non-finite times are ignored", () => {
    const t = new TickTimes(100);
    expect(t.percentiles([50])).toEqual([null]);
    for (let i = 1; i <= 100; i++) t.add(i);
    t.add(NaN);
    expect(t.percentiles([50, 99, 100])).toEqual([50, 99, 100]);
    for (let i = 0; i < 100; i++) t.add(1000); // the ring forgets the old ticks
    expect(t.percentiles([0, 100])).toEqual([1000, 1000]);
  });
});
