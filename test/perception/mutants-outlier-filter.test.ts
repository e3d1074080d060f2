// OutlierFilter behaviour that StrykerJS found unchecked (docs/mutation.md, "perception/outlier-filter.ts"): option
// checks, the exact threshold, confirming a step after scattered outliers, the repeats rule's edges, confirm = 2,
// and which registry channels are judged by default.
import { describe, expect, test } from "vitest";
import { OutlierFilter, type OutlierOptions } from "../../perception/index.js";

// A channel outside the registry, judged, with a MAD floor of 1/8: with k = 8 and a constant signal the limit is
// 8 * (1.4826 * 0.125), exactly the double 1.4826 (scaling by powers of two is exact).
const FLOOR = 0.125;
const LIMIT = 1.4826;
const filter = (o: OutlierOptions = {}) => new OutlierFilter({ channels: () => true, madFloor: { x: FLOOR }, ...o });
function feed(f: OutlierFilter, values: readonly number[], t0 = 0, channel = "x"): string[] {
  return values.map((value, i) => f.check({ channel, t: t0 + i / 100, value })?.reason ?? "ok");
}

describe("OutlierFilter (mutation survivors)", () => {
  test("refuses each inconsistent option on its own, naming the values; the smallest consistent ones are accepted", () => {
    expect(() => new OutlierFilter({ window: 2, minSamples: 2 })).toThrow("outlier options window=2 minSamples=2 k=8 confirm=3 are inconsistent");
    expect(() => new OutlierFilter({ minSamples: 2 })).toThrow(/minSamples=2 /);
    expect(() => new OutlierFilter({ k: 0 })).toThrow(/k=0 /);
    expect(() => new OutlierFilter({ k: NaN })).toThrow(/k=NaN /);
    expect(() => new OutlierFilter({ confirm: 0 })).toThrow(/confirm=0 /);
    expect(() => new OutlierFilter({ window: 3, minSamples: 3, confirm: 1, k: 1e-9 })).not.toThrow();
  });

  test("a value exactly k robust sigmas from the expected one is accepted; the threshold is strict", () => {
    const f = filter();
    expect(feed(f, Array(10).fill(0))).toEqual(Array(10).fill("ok"));
    expect(feed(f, [LIMIT, 0, -LIMIT], 1)).toEqual(["ok", "ok", "ok"]);
    expect(f.check({ channel: "x", t: 2, value: 2 * LIMIT })?.reason).toBe("outlier");
  });

  test("the messages name the channel, the stamp, the value and its distance in robust sigmas from the expected one", () => {
    const f = filter();
    feed(f, Array(10).fill(5));
    expect(f.check({ channel: "x", t: 1, value: Infinity })?.message).toBe("channel=x t=1: value=Infinity");
    // |15 - 5| / (1.4826 * 0.125) = 53.96
    expect(f.check({ channel: "x", t: 1.5, value: 15 })?.message).toBe("channel=x t=1.5: value=15 is 54.0 robust sigmas from the expected 5");
  });

  test("a genuine step is confirmed also right after outliers that scattered (the run keeps only the last `confirm`)", () => {
    const f = filter();
    feed(f, Array(20).fill(0));
    expect(feed(f, [5, -5, 10, 10, 10, 10], 1)).toEqual(["outlier", "outlier", "outlier", "outlier", "ok", "ok"]);
  });

  test("three outliers that do not lie on a line within the limit are not a step", () => {
    const f = filter();
    feed(f, Array(20).fill(0));
    // Second difference 20 - 2 * 22 + 20 = -4: beyond 1.4826, so never a new level (k / scale would be 43).
    expect(feed(f, [20, 22, 20, 22, 20], 1)).toEqual(Array(5).fill("outlier"));
  });

  test("a new ramp's inner steps join the window: the next sample is expected one slope further", () => {
    // window 3: the two inner steps of the run (+2, +2) outvote the old 0 step, so 16 is expected after 14 (and
    // 2 off the old prediction of 14 would be beyond the limit of 1.4826).
    const f = filter({ window: 3, minSamples: 3 });
    expect(feed(f, [0, 0, 0, 0])).toEqual(Array(4).fill("ok"));
    // The steps kept are the run's own (+2), not sums of its values: a spike 5 off the slope is still caught.
    expect(feed(f, [10, 12, 14, 16, 23, 18], 1)).toEqual(["outlier", "outlier", "ok", "ok", "outlier", "ok"]);
  });

  test("with confirm = 2, two outliers within the limit of each other are a step, two farther apart are not", () => {
    const f = filter({ confirm: 2 });
    feed(f, Array(10).fill(0));
    expect(feed(f, [5, 8, 20, 20, 20], 1)).toEqual(["outlier", "outlier", "outlier", "ok", "ok"]);
    const g = filter({ confirm: 2 });
    feed(g, Array(10).fill(100));
    // A spread of exactly the limit still counts as one level.
    expect(feed(g, [0, LIMIT, LIMIT], 1)).toEqual(["outlier", "ok", "ok"]);
  });

  test("with confirm = 3, a run whose second difference is exactly the limit is a step", () => {
    const f = filter();
    feed(f, Array(10).fill(100));
    expect(feed(f, [0, 0, LIMIT], 1)).toEqual(["outlier", "outlier", "ok"]);
  });

  test("with confirm = 1, any single outlier is taken as the new level at once", () => {
    const f = filter({ confirm: 1 });
    feed(f, Array(10).fill(0));
    expect(feed(f, [50, 50, 50.1], 1)).toEqual(["ok", "ok", "ok"]);
  });

  test("a step MAD above 0 is used as it is, not replaced by the non-zero steps' spread", () => {
    // Steps 2 1 1 2 0 0 1: median 1, MAD 1. The non-zero ones (2 1 1 2 1) have a MAD of 0: the floor would reject 7.
    const f = new OutlierFilter({ channels: () => true, madFloor: { x: 0.001 } });
    expect(feed(f, [0, 2, 3, 4, 6, 6, 6, 7, 7, 8])).toEqual(Array(10).fill("ok"));
  });

  test("repeats rule: with exactly minSamples real updates, their spread already sets the scale", () => {
    // Warm-up accepts 5 updates (spread ~0.1); then the value repeats until the step MAD is 0. An update of 1
    // is within 8 * 1.4826 * 0.1 = 1.19 of the repeat: accepted, where the floor (0.012) would reject it.
    const f = new OutlierFilter({ channels: () => true, madFloor: { x: 0.001 } });
    const warm = [0, 1, 2.2, 3, 4.1, 5];
    expect(feed(f, [...warm, ...Array(12).fill(5), 6])).toEqual(Array(19).fill("ok"));
  });

  test("by default only continuous, non-discrete registry channels are judged (not a wrapping heading, not unknown ones)", () => {
    const f = new OutlierFilter();
    // heading is held and wraps at ±π: a jump from π to -π is the same direction, not an outlier.
    expect(feed(f, [...Array(10).fill(3.14), -3.14, 3.14], 0, "heading")).toEqual(Array(12).fill("ok"));
    expect(feed(f, [...Array(10).fill(0), 1e6], 0, "my_sensor")).toEqual(Array(11).fill("ok"));
  });
});
