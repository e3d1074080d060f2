import fc from "fast-check";
import { describe, expect, test } from "vitest";
import { OutlierFilter, type Sample } from "../../perception/index.js";

function feed(filter: OutlierFilter, channel: string, values: readonly number[], t0 = 0): string[] {
  return values.map((value, i) => {
    const s: Sample = { channel, t: t0 + i * 0.01, value };
    return filter.check(s)?.reason ?? "ok";
  });
}

describe("OutlierFilter", () => {
  test("rejects a single spike in a noisy signal and says how far it was", () => {
    const f = new OutlierFilter();
    const noisy = Array.from({ length: 30 }, (_, i) => 10 + 0.05 * Math.sin(i * 1.7));
    expect(feed(f, "speed", noisy)).toEqual(noisy.map(() => "ok"));
    const r = f.check({ channel: "speed", t: 1, value: 25 });
    expect(r?.reason).toBe("outlier");
    expect(r?.message).toMatch(/channel=speed t=1: value=25 is [\d.]+ robust sigmas from the expected (9\.9|10\.0)\d*/);
    expect(feed(f, "speed", [10.01, 9.99], 1.01)).toEqual(["ok", "ok"]);
  });

  test("the default threshold is 8 robust sigmas: 12 are rejected, 6 accepted", () => {
    const f = new OutlierFilter();
    feed(f, "speed", Array.from({ length: 30 }, (_, i) => 10 + 0.5 * Math.sin(i * 1.7)));
    // A far spike (rejected, so the window is unchanged) tells the expected value and the robust sigma.
    const probe = f.check({ channel: "speed", t: 1, value: 60 })!;
    const [, sigmas, expected] = /is ([\d.]+) robust sigmas from the expected (-?[\d.e-]+)/.exec(probe.message)!.map(Number);
    const sigma = (60 - expected!) / sigmas!;
    expect(sigma).toBeGreaterThan(0.1); // above the MAD floor: the noise sets it
    expect(f.check({ channel: "speed", t: 1.01, value: expected! + 12 * sigma })?.reason).toBe("outlier");
    expect(f.check({ channel: "speed", t: 1.02, value: expected! - 12 * sigma })?.reason).toBe("outlier");
    expect(f.check({ channel: "speed", t: 1.03, value: expected! + 6 * sigma })).toBeUndefined();
  });

  test("a constant signal does not reject its first real movement (MAD floor)", () => {
    const f = new OutlierFilter();
    expect(feed(f, "speed", [...Array(20).fill(0), 0.05, 0.1, 0.15, 0.2])).toEqual(Array(24).fill("ok"));
  });

  test("a genuine step is accepted after `confirm` consistent samples; the first ones of it count as outliers", () => {
    const f = new OutlierFilter({ confirm: 3 });
    feed(f, "steer", Array(20).fill(0));
    expect(feed(f, "steer", [0.8, 0.8, 0.8, 0.8, 0.81], 0.2)).toEqual(["outlier", "outlier", "ok", "ok", "ok"]);
    // The window restarted at the new level: a return spike to the old one is now the outlier.
    expect(f.check({ channel: "steer", t: 1, value: 0 })?.reason).toBe("outlier");
  });

  test("alternating spikes that disagree with each other are never taken for a step", () => {
    const f = new OutlierFilter({ confirm: 3 });
    feed(f, "speed", Array(20).fill(10));
    expect(feed(f, "speed", [30, -15, 50, 10, 60, -10, 10], 0.2)).toEqual(["outlier", "outlier", "outlier", "ok", "outlier", "outlier", "ok"]);
  });

  test("follows a steep ramp by its median step, and still rejects a spike off the ramp", () => {
    const f = new OutlierFilter();
    // 1.5 m/s per sample: beyond what the MAD floor alone allows (8 × 1.4826 × 0.11), so only predicting
    // last + median step lets it through.
    const ramp = Array.from({ length: 60 }, (_, i) => i * 1.5);
    expect(feed(f, "speed", ramp).filter((r) => r !== "ok")).toEqual([]);
    // Noisy ramp: 0.3 m/s per sample ± 0.01. A sample 2 m/s off the line is a small step for the signal (< 8×
    // its typical step) but 100 times its noise: judged against the median step it is an outlier.
    const g = new OutlierFilter();
    const noisy = Array.from({ length: 40 }, (_, i) => 20 + i * 0.3 + 0.01 * Math.sin(i * 2.3));
    expect(feed(g, "speed", noisy)).toEqual(noisy.map(() => "ok"));
    expect(g.check({ channel: "speed", t: 1, value: noisy.at(-1)! + 0.3 + 2 })?.reason).toBe("outlier");
    expect(g.check({ channel: "speed", t: 1.01, value: noisy.at(-1)! + 0.6 })).toBeUndefined();
  });

  test("leaves discrete channels (hold: brake, commands) and vector samples alone by default", () => {
    const f = new OutlierFilter();
    expect(feed(f, "brake", [...Array(20).fill(0), 1, 0, 1])).toEqual(Array(23).fill("ok"));
    expect(feed(f, "steer_cmd", [...Array(20).fill(0), 1])).toEqual(Array(21).fill("ok"));
    expect(f.check({ channel: "accel", t: 0, value: new Float32Array([1e3]) })).toBeUndefined();
  });

  test("channels are independent, and a custom predicate and MAD floor apply", () => {
    const f = new OutlierFilter({ channels: (ch) => ch === "brake", madFloor: { brake: 0.001 } });
    feed(f, "brake", Array(10).fill(0.5));
    expect(f.check({ channel: "brake", t: 1, value: 0.6 })?.reason).toBe("outlier");
    feed(f, "speed", Array(10).fill(1));
    expect(f.check({ channel: "speed", t: 1, value: 80 })).toBeUndefined();
  });

  test("a non-finite value is refused, not let into the window", () => {
    const f = new OutlierFilter();
    expect(f.check({ channel: "speed", t: 0, value: NaN })?.reason).toBe("nonfinite");
    expect(feed(f, "speed", Array(10).fill(3))).toEqual(Array(10).fill("ok"));
    expect(f.check({ channel: "speed", t: 1, value: 40 })?.reason).toBe("outlier");
  });

  test("inconsistent options are refused with their values", () => {
    expect(() => new OutlierFilter({ window: 10, minSamples: 12 })).toThrow(/window=10 minSamples=12/);
  });

  test("lets a fast but smooth onset through (a yaw rate going 0 -> 1.3 rad/s in 0.3 s)", () => {
    const f = new OutlierFilter();
    const quiet = Array.from({ length: 30 }, (_, i) => 0.02 * Math.sin(i * 2.1));
    const onset = Array.from({ length: 8 }, (_, i) => (1.3 * (i + 1)) / 8);
    expect(feed(f, "yaw_rate", [...quiet, ...onset, 1.3, 1.31, 1.29]).filter((r) => r !== "ok")).toEqual([]);
  });

  test("a long onset becomes the expected step: a spike on it is rejected, the onset's own steps are not", () => {
    const f = new OutlierFilter();
    const quiet = Array.from({ length: 30 }, (_, i) => 0.02 * Math.sin(i * 2.1));
    // 0 -> 3 rad/s at 0.15 rad/s per sample: after 15 samples most of the window's steps are the onset's.
    const onset = Array.from({ length: 15 }, (_, i) => 0.15 * (i + 1));
    expect(feed(f, "yaw_rate", [...quiet, ...onset]).filter((r) => r !== "ok")).toEqual([]);
    // 0.6 rad/s off the line (still under 8× the typical step from the last value): an outlier against last + median step.
    expect(f.check({ channel: "yaw_rate", t: 1, value: 0.15 * 16 + 0.6 })?.reason).toBe("outlier");
    expect(f.check({ channel: "yaw_rate", t: 1.01, value: 0.15 * 16 })).toBeUndefined();
  });

  test("property: decisions match a plain sort-based reference of the step model", () => {
    const median = (xs: number[]) => {
      const a = xs.slice().sort((p, q) => p - q);
      const n = a.length;
      return n % 2 ? a[n >> 1] : 0.5 * (a[n / 2 - 1] + a[n / 2]);
    };
    const reference = (values: number[], n: number, k: number, minSteps: number, floor: number) => {
      const steps: number[] = [];
      const changes: number[] = [];
      let last = NaN;
      let run: number[] = [];
      const addStep = (d: number) => {
        steps.push(d);
        if (steps.length > n) steps.shift();
        if (d !== 0) changes.push(d);
        if (changes.length > n) changes.shift();
      };
      // Repeats collapsing the MAD to 0: the spread of the non-zero steps instead.
      const mad = (xs: number[], m: number) => median(xs.map((d) => Math.abs(d - m)));
      const scale = (m: number) => {
        const all = mad(steps, m);
        return all > 0 || changes.length < minSteps ? all : mad(changes, median(changes));
      };
      return values.map((x) => {
        const accept = () => {
          if (!Number.isNaN(last)) addStep(x - last);
          last = x;
          run = [];
          return "ok";
        };
        if (steps.length < minSteps) return accept();
        const m = median(steps);
        const limit = k * 1.4826 * Math.max(scale(m), floor);
        if (Math.abs(x - (last + m)) <= limit) return accept();
        run.push(x);
        if (run.length > 3) run.shift();
        if (run.length === 3 && Math.abs(run[2] - 2 * run[1] + run[0]) <= limit) {
          addStep(run[1] - run[0]);
          addStep(run[2] - run[1]);
          last = x;
          run = [];
          return "ok";
        }
        return "outlier";
      });
    };
    const values = fc.array(fc.oneof(fc.integer({ min: -20, max: 20 }), fc.double({ min: -10, max: 10, noNaN: true })), { maxLength: 120 });
    fc.assert(
      fc.property(values, fc.integer({ min: 3, max: 12 }), fc.double({ min: 0.5, max: 6, noNaN: true }), (xs, n, k) => {
        const f = new OutlierFilter({ window: n, minSamples: 3, k, confirm: 3, madFloor: { speed: 0.05 } });
        const got = feed(f, "speed", xs);
        expect(got).toEqual(reference(xs, n, k, 3, 0.05));
      }),
    );
  });
});
