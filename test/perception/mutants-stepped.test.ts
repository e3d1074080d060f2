// Tests written for perception/stepped.ts's surviving mutants (docs/mutation.md, "Survivors by file"): the stepped
// driver the closed-loop simulator and the live pipeline use (its frames were only exercised from test/sim and
// test/runtime), and PerceptionCore's options.
import { describe, expect, test } from "vitest";
import { Validity, type FrameSpec, type Sample } from "../../perception/index.js";
import { PerceptionCore, SteppedPerception } from "../../perception/stepped.js";
import { plain } from "./helpers.js";

const { Fresh: F, Held: H, Missing: M } = Validity;
const s = (channel: string, t: number, value: number | Float32Array): Sample => ({ channel, t, value });
const spec: FrameSpec = { rate: 10, channels: [{ name: "speed", interp: "linear", staleAfter: 0.5 }] };
/** A steady 10 m/s at 100 Hz from t0 for n samples, one optional spike. */
const steady = (t0: number, n: number, spikeAt = -1) => Array.from({ length: n }, (_, i) => s("speed", t0 + i / 100, i === spikeAt ? 60 : 10));

describe("SteppedPerception", () => {
  test("a step's samples are in the frame of the newest tick at or before t; a later sample waits (lookahead 0)", () => {
    const p = new SteppedPerception(spec);
    // 0.25 is past tick 0.2: frame 0.2 interpolates nothing beyond it.
    const f = p.step([s("speed", 0.1, 1), s("speed", 0.2, 2), s("speed", 0.25, 9)], 0.29);
    expect(plain([f])).toEqual([{ t: 0.2, values: [2], valid: [F] }]);
    expect(plain([p.frameAt(0.3)])).toEqual([{ t: 0.3, values: [9], valid: [H] }]);
  });

  test("samples pushed one by one and step() give the same frames", () => {
    const a = new SteppedPerception(spec);
    const b = new SteppedPerception(spec);
    const xs = [s("speed", 0.05, 1), s("speed", 0.1, 2)];
    for (const x of xs) a.push(x);
    expect(plain([a.frameAt(0.1)])).toEqual(plain([b.step(xs, 0.1)]));
    expect(plain([a.frameAt(0.1)])[0]).toEqual({ t: 0.1, values: [2], valid: [F] });
  });

  test("with lookahead a sample just after the tick interpolates into it", () => {
    const p = new SteppedPerception(spec, { lookahead: 0.05 });
    const f = p.step([s("speed", 0.1, 1), s("speed", 0.22, 2.2)], 0.2);
    expect(f.t).toBe(0.2);
    expect(f.values[0]).toBeCloseTo(2, 6);
    expect(f.valid[0]).toBe(F);
  });

  test("ticks never go back: asking for an earlier time gives the newest tick again", () => {
    const p = new SteppedPerception(spec);
    p.step([s("speed", 0.5, 5)], 0.5);
    expect(p.frameAt(0.3).t).toBe(0.5);
    expect(p.frameAt(0.61).t).toBe(0.6);
  });

  test("the tick is found despite float rounding of t · rate (0.29 s at 100 Hz is tick 29, not 28)", () => {
    const fast: FrameSpec = { ...spec, rate: 100 };
    expect(0.29 * 100).toBeLessThan(29); // 28.999999999999996
    const p = new SteppedPerception(fast);
    const f = p.step([s("speed", 0.29, 3)], 0.29);
    expect(plain([f])).toEqual([{ t: 0.29, values: [3], valid: [F] }]);
  });

  test("rejections are counted on its tally: unknown channel, late, and a vector on a scalar channel", () => {
    const p = new SteppedPerception(spec, { channels: ["speed"] });
    p.step([s("steer", 0.1, 0.1), s("speed", 0.1, 1)], 0.1);
    p.step([s("speed", 0.05, 1), s("speed", 0.15, Float32Array.from([1, 2]))], 0.2);
    expect(p.tally.counts).toEqual({ steer: { unknown_channel: 1 }, speed: { late: 1, wrong_type: 1 } });
  });

  test("outliers are dropped by default and kept with outliers: false", () => {
    const on = new SteppedPerception(spec);
    const off = new SteppedPerception(spec, { outliers: false });
    const xs = steady(0, 31, 30); // the spike is the newest sample, at t = 0.3
    expect(plain([on.step(xs, 0.3)])).toEqual([{ t: 0.3, values: [10], valid: [H] }]);
    expect(on.tally.counts).toEqual({ speed: { outlier: 1 } });
    expect(plain([off.step(xs, 0.3)])).toEqual([{ t: 0.3, values: [60], valid: [F] }]);
    expect(off.tally.total).toBe(0);
  });

  test("before any sample the frame is Missing", () => {
    expect(plain([new SteppedPerception(spec).frameAt(0)])).toEqual([{ t: 0, values: [NaN], valid: [M] }]);
  });
});

describe("PerceptionCore", () => {
  test("the channels option limits what validation passes", () => {
    const core = new PerceptionCore(spec, { window: 0, lookahead: 0, channels: ["speed"] });
    const out: Sample[] = [];
    core.accept(s("steer", 0, 0.1), out);
    core.accept(s("speed", 0, 1), out);
    expect(out.map((x) => x.channel)).toEqual(["speed"]);
    expect(core.tally.counts).toEqual({ steer: { unknown_channel: 1 } });
  });

  test("admit: a spike is refused and counted, with outliers off it is admitted", () => {
    const on = new PerceptionCore(spec, { window: 0, lookahead: 0 });
    const off = new PerceptionCore(spec, { window: 0, lookahead: 0, outliers: false });
    const xs = steady(0, 31, 30);
    expect(xs.map((x) => on.admit(x)).filter((ok) => !ok)).toHaveLength(1);
    expect(on.admit(s("speed", 0.31, 10))).toBe(true);
    expect(on.tally.counts).toEqual({ speed: { outlier: 1 } });
    expect(xs.every((x) => off.admit(x))).toBe(true);
    expect(off.tally.total).toBe(0);
  });
});
