import { describe, expect, it } from "vitest";
import { GAP_FACTOR, MAX_BREAKS_LISTED, summariseDrive, timeBreaks } from "../../perception/drive-summary.js";
import { MAX_ABS_T, TIME_BREAK_S } from "../../perception/timing.js";
import type { Drive, DriveChannel } from "../../perception/types.js";

// What `lam inspect --json` reports per channel and per drive (written for StrykerJS survivors: this module had
// only the time-break checks of test/runtime/time-breaks.test.ts).

function channel(name: string, t: readonly number[], values: readonly number[] = t.map(() => 0), unit = ""): DriveChannel {
  return { name, unit, t: Float64Array.from(t), values: Float64Array.from(values), source: `test:${name}` };
}
function drive(channels: DriveChannel[], rejected: Drive["rejected"] = {}): Drive {
  return { name: "d", path: "memory", format: "mcap", channels, rejected, issues: [] };
}
const byName = (s: ReturnType<typeof summariseDrive>, name: string) => s.channels.find((c) => c.name === name)!;

describe("summariseDrive per channel", () => {
  it("counts samples, rate, gaps, the longest interval and the value range", () => {
    // Intervals 0.1 0.1 0.1 1.0: median 0.1, one of them longer than GAP_FACTOR medians.
    const s = summariseDrive(drive([channel("speed", [0, 0.1, 0.2, 0.3, 1.3], [1, 3, -2, 5, 4])]));
    expect(byName(s, "speed")).toEqual({
      name: "speed",
      unit: "m/s",
      samples: 5,
      rate_hz: 3.077,
      gaps: 1,
      longest_gap_s: 1,
      min: -2,
      max: 5,
      rejected: {},
      source: "test:speed",
    });
  });

  it("an interval of exactly GAP_FACTOR medians is no gap; the median of an even count is the mean of the middle two", () => {
    expect(byName(summariseDrive(drive([channel("speed", [0, 0.5, 1, 1 + GAP_FACTOR * 0.5])])), "speed").gaps).toBe(0);
    // Intervals 0.1 0.1 0.3 0.9: median 0.2, so 0.9 < 5 · 0.2 is no gap (0.1 or 0.3 as the median would say 1 or 0).
    const even = byName(summariseDrive(drive([channel("speed", [0, 0.1, 0.2, 0.5, 1.4])])), "speed");
    expect(even.gaps).toBe(0);
    // Intervals 0.1 0.1 0.2: median 0.1 (the middle one); 0.2 is no gap, 0.6 is.
    expect(byName(summariseDrive(drive([channel("speed", [0, 0.1, 0.2, 0.8])])), "speed").gaps).toBe(1);
    expect(byName(summariseDrive(drive([channel("speed", [0, 0.1, 0.2, 0.4])])), "speed").gaps).toBe(0);
  });

  it("minimum and maximum are found wherever they lie", () => {
    const c = byName(summariseDrive(drive([channel("accel", [0, 1, 2, 3], [2, -7, 9, 1])])), "accel");
    expect([c.min, c.max]).toEqual([-7, 9]);
    const falling = byName(summariseDrive(drive([channel("accel", [0, 1, 2], [3, 2, 1])])), "accel");
    expect([falling.min, falling.max]).toEqual([1, 3]);
  });

  it("one sample has no rate and no interval; repeated stamps have no rate and no gaps", () => {
    const one = byName(summariseDrive(drive([channel("speed", [4], [2])])), "speed");
    expect(one).toMatchObject({ samples: 1, rate_hz: null, gaps: 0, longest_gap_s: null, min: 2, max: 2 });
    const stuck = byName(summariseDrive(drive([channel("speed", [1, 1, 1, 9])])), "speed");
    expect(stuck).toMatchObject({ samples: 4, rate_hz: null, gaps: 0, longest_gap_s: 8 });
  });

  it("a known channel gets the canonical unit (also with a @source qualifier), an unknown one keeps its own", () => {
    const s = summariseDrive(drive([channel("yaw_rate@odom", [0, 1], [0, 0], "deg/s"), channel("mystery", [0, 1], [0, 0], "furlong")]));
    expect(byName(s, "yaw_rate@odom").unit).toBe("rad/s");
    expect(byName(s, "mystery").unit).toBe("furlong");
  });

  it("rejections from the importer and from perception add up; channels that lost every sample are listed", () => {
    const s = summariseDrive(drive([channel("speed", [0, 1])], { speed: { nonfinite: 2 }, gear: { out_of_range: 1 } }), {
      speed: { nonfinite: 1, outlier: 3 },
      ghost: { unknown_channel: 4 },
    });
    expect(byName(s, "speed").rejected).toEqual({ nonfinite: 3, outlier: 3 });
    expect(byName(s, "gear")).toEqual({ name: "gear", unit: "1", samples: 0, rate_hz: null, gaps: 0, longest_gap_s: null, min: null, max: null, rejected: { out_of_range: 1 }, source: "" });
    expect(byName(s, "ghost")).toMatchObject({ unit: "", samples: 0, rejected: { unknown_channel: 4 } });
    expect(s.channels.map((c) => c.name)).toEqual(["gear", "ghost", "speed"]);
  });

  it("channels are listed by name, each once", () => {
    const s = summariseDrive(drive([channel("yaw_rate", [0, 1]), channel("accel", [0, 1]), channel("speed", [0, 1])], { speed: { late: 1 } }));
    expect(s.channels.map((c) => c.name)).toEqual(["accel", "speed", "yaw_rate"]);
  });

  it("an empty channel has no range", () => {
    const c = byName(summariseDrive(drive([channel("speed", [])])), "speed");
    expect(c).toMatchObject({ samples: 0, min: null, max: null, rate_hz: null, longest_gap_s: null });
  });
});

describe("summariseDrive per drive", () => {
  it("span and start come from the earliest and latest plausible stamps of any channel", () => {
    const s = summariseDrive(drive([channel("speed", [2, 3, 4]), channel("accel", [1.5, 3.5]), channel("steer", [2.5, MAX_ABS_T * 10, NaN])]));
    expect(s).toMatchObject({ name: "d", format: "mcap", t0: 1.5, span_s: 2.5, implausible_t: 1, time_breaks: [] });
  });
  it("a drive without samples has span 0 and no start", () => {
    expect(summariseDrive(drive([]))).toMatchObject({ span_s: 0, t0: null, channels: [], time_breaks: [], implausible_t: 0 });
  });
  it("a drive with only implausible stamps falls back to the channels' own ends", () => {
    const s = summariseDrive(drive([channel("speed", [2e10, 3e10])]));
    expect(s.t0).toBe(2e10);
    expect(s.span_s).toBe(1e10);
    expect(s.implausible_t).toBe(2);
  });
});

describe("timeBreaks", () => {
  it("finds gaps longer than maxGap across all channels together, not per channel", () => {
    const d = drive([channel("speed", [0, 1, 30, 31]), channel("accel", [15])]);
    expect(timeBreaks(d).breaks).toEqual([
      { from: 1, to: 15, gap_s: 14 },
      { from: 15, to: 30, gap_s: 15 },
    ]);
    expect(timeBreaks(d, 14).breaks).toEqual([{ from: 15, to: 30, gap_s: 15 }]);
    expect(timeBreaks(d)).toMatchObject({ first: 0, last: 31, implausible: 0 });
  });
  it("a gap of exactly the limit is no break", () => {
    expect(timeBreaks(drive([channel("speed", [0, TIME_BREAK_S])])).breaks).toEqual([]);
    expect(timeBreaks(drive([channel("speed", [0, TIME_BREAK_S + 0.5])])).breaks).toEqual([{ from: 0, to: TIME_BREAK_S + 0.5, gap_s: TIME_BREAK_S + 0.5 }]);
  });
  it("lists at most MAX_BREAKS_LISTED breaks", () => {
    const t = Array.from({ length: MAX_BREAKS_LISTED + 5 }, (_, i) => i * 100);
    const b = timeBreaks(drive([channel("speed", t)])).breaks;
    expect(b.length).toBe(MAX_BREAKS_LISTED);
    expect(b.at(-1)).toEqual({ from: (MAX_BREAKS_LISTED - 1) * 100, to: MAX_BREAKS_LISTED * 100, gap_s: 100 });
  });
  it("counts stamps beyond MAX_ABS_T (either sign) as implausible, NaN stamps not at all, and |t| = MAX_ABS_T as plausible", () => {
    const r = timeBreaks(drive([channel("speed", [-MAX_ABS_T * 2, 0, MAX_ABS_T, NaN, Infinity])]));
    expect(r.implausible).toBe(2);
    expect(r.first).toBe(0);
    expect(r.last).toBe(MAX_ABS_T);
  });
  it("gap sizes are rounded to the millisecond", () => {
    expect(timeBreaks(drive([channel("speed", [0, 12.34567])])).breaks).toEqual([{ from: 0, to: 12.34567, gap_s: 12.346 }]);
  });
  it("no stamps: no first or last", () => {
    expect(timeBreaks(drive([channel("speed", [NaN])]))).toEqual({ breaks: [], implausible: 0, first: null, last: null });
  });
});

describe("summariseDrive: the figures that mutation testing found unchecked", () => {
  it("the median is of the sorted intervals; an even count's is the mean of the middle two", () => {
    // Intervals 0.1 0.1 1.0 0.1 0.1: the middle one unsorted is 1.0, the median 0.1, so 1.0 is a gap.
    expect(byName(summariseDrive(drive([channel("speed", [0, 0.1, 0.2, 1.2, 1.3, 1.4])])), "speed").gaps).toBe(1);
    // Intervals 0.1 0.1 0.3 1.2: median 0.2, so 1.2 > 1.0 is a gap (with 0.3 as the median it would not be).
    expect(byName(summariseDrive(drive([channel("speed", [0, 0.1, 0.2, 0.5, 1.7])])), "speed").gaps).toBe(1);
  });
  it("two samples have a rate; the rate and the longest interval do not depend on where the drive starts or where the long interval lies", () => {
    expect(byName(summariseDrive(drive([channel("speed", [10, 10.5])])), "speed")).toMatchObject({ rate_hz: 2, longest_gap_s: 0.5 });
    const c = byName(summariseDrive(drive([channel("speed", [100, 102, 102.5, 103, 103.5])])), "speed");
    expect(c.rate_hz).toBe(round3(4 / 3.5));
    expect(c.longest_gap_s).toBe(2);
  });
  it("an empty channel does not spoil the start of a drive whose stamps are all implausible", () => {
    const s = summariseDrive(drive([channel("accel", []), channel("speed", [2e10, 3e10])]));
    expect(s.t0).toBe(2e10);
    expect(s.span_s).toBe(1e10);
  });
});

function round3(x: number): number {
  return Math.round(x * 1000) / 1000;
}
