import { describe, expect, it } from "vitest";
import { SampleHeap, sampleBefore } from "../../perception/sample-heap.js";
import { MAX_ABS_T } from "../../perception/timing.js";
import { sampleValidator } from "../../perception/validate.js";
import type { Sample } from "../../perception/types.js";

// Edges of the sample validator and the sample heap (written for StrykerJS survivors).

describe("sampleValidator at its edges", () => {
  const v = sampleValidator();
  it("a Float32Array value is checked element by element, its range edges included", () => {
    expect(v({ channel: "speed", t: 0, value: Float32Array.of(-20, 0, 90) })).toBeUndefined();
    expect(v({ channel: "speed", t: 0, value: Float32Array.of(0, 95) })).toEqual({ reason: "out_of_range", message: "channel=speed t=0: value[1]=95 outside [-20, 90]" });
    expect(v({ channel: "speed", t: 0, value: Float32Array.of(-25) })).toMatchObject({ reason: "out_of_range" });
    expect(v({ channel: "speed", t: 0, value: Float32Array.of(0, NaN) })).toEqual({ reason: "nonfinite", message: "channel=speed t=0: value[1]=NaN" });
  });
  it("a time of exactly MAX_ABS_T is plausible, beyond it is a clock rejection; a non-finite one is a wrong type", () => {
    expect(v({ channel: "speed", t: MAX_ABS_T, value: 1 })).toBeUndefined();
    expect(v({ channel: "speed", t: -2 * MAX_ABS_T, value: 1 })).toEqual({ reason: "clock", message: `channel=speed: t=${-2 * MAX_ABS_T} is not a plausible time (|t| > ${MAX_ABS_T} s)` });
    expect(v({ channel: "speed", t: Infinity, value: 1 })).toEqual({ reason: "wrong_type", message: "channel=speed: t=number Infinity is not a finite number" });
  });
  it("names offending values short: long strings cut at 40 characters, objects by constructor", () => {
    expect(v({ channel: "x".repeat(41), t: 0, value: 1 })).toMatchObject({ reason: "unknown_channel" });
    expect(v({ channel: 5, t: 0, value: 1 } as unknown as Sample)).toEqual({ reason: "wrong_type", message: "channel=number 5 is not a string" });
    expect(v({ channel: "speed", t: "y".repeat(41), value: 1 } as unknown as Sample)).toEqual({ reason: "wrong_type", message: `channel=speed: t="${"y".repeat(40)}..." is not a finite number` });
    expect(v({ channel: "speed", t: "y".repeat(40), value: 1 } as unknown as Sample)).toEqual({ reason: "wrong_type", message: `channel=speed: t="${"y".repeat(40)}" is not a finite number` });
    expect(v({ channel: "speed", t: 0, value: [1] } as unknown as Sample)).toEqual({ reason: "wrong_type", message: "channel=speed t=0: value=Array is not a number or Float32Array" });
    expect(v({ channel: "speed", t: 0, value: Object.create(null) } as unknown as Sample)).toEqual({ reason: "wrong_type", message: "channel=speed t=0: value=object is not a number or Float32Array" });
  });
  it("a channel's verdict is looked up once and kept: allowed stays allowed, unknown stays unknown", () => {
    const only = sampleValidator({ channels: ["speed"] });
    for (let i = 0; i < 3; i++) {
      expect(only({ channel: "speed", t: i, value: 1 })).toBeUndefined();
      expect(only({ channel: "accel", t: i, value: 1 })).toEqual({ reason: "unknown_channel", message: `channel=accel t=${i}: not in the allowed channels` });
    }
  });
});

describe("SampleHeap", () => {
  const s = (channel: string, t: number): Sample => ({ channel, t, value: 0 });
  it("orders by time, then by channel name, whatever the push order", () => {
    expect(sampleBefore(s("b", 1), s("a", 2))).toBe(true);
    expect(sampleBefore(s("a", 1), s("b", 1))).toBe(true);
    expect(sampleBefore(s("b", 1), s("a", 1))).toBe(false);
    expect(sampleBefore(s("a", 1), s("a", 1))).toBe(false);
    const h = new SampleHeap();
    for (const x of [s("c", 2), s("b", 1), s("a", 2), s("a", 1), s("b", 2), s("c", 1)]) h.push(x);
    const out: string[] = [];
    while (h.size > 0) out.push(h.pop()!.channel);
    expect(out).toEqual(["a", "b", "c", "a", "b", "c"]);
  });
  it("has() finds a held sample by channel and time only", () => {
    const h = new SampleHeap();
    h.push(s("a", 1));
    h.push(s("b", 2));
    expect(h.has("a", 1)).toBe(true);
    expect(h.has("a", 2)).toBe(false);
    expect(h.has("b", 1)).toBe(false);
  });
  it("pops down to empty and then gives undefined", () => {
    const h = new SampleHeap();
    h.push(s("a", 2));
    h.push(s("a", 1));
    expect(h.pop()!.t).toBe(1);
    expect(h.peek()!.t).toBe(2);
    expect(h.pop()!.t).toBe(2);
    expect(h.size).toBe(0);
    expect(h.pop()).toBeUndefined();
  });
});
