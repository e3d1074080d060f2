import fc from "fast-check";
import { describe, expect, test } from "vitest";
import { Synchroniser, Validity, frameChannel, type FrameSpec, type Sample } from "../../perception/index.js";
import { checkFrames } from "./helpers.js";

const spec: FrameSpec = {
  rate: 10,
  channels: [
    { name: "speed", interp: "linear", staleAfter: 0.3 },
    { name: "brake", interp: "hold", staleAfter: 0.3 },
  ],
};
const s = (channel: string, t: number, value: number | Float32Array): Sample => ({ channel, t, value });

describe("Synchroniser", () => {
  test("interpolates linear channels between the bracketing samples and holds discrete ones: Fresh", () => {
    const sync = new Synchroniser(spec, { lookahead: 0.1 });
    for (const x of [s("speed", 0.05, 1), s("speed", 0.15, 3), s("brake", 0.02, 0), s("brake", 0.12, 1)]) sync.push(x);
    const f = sync.frameAt(1);
    expect(f.t).toBe(0.1);
    expect(f.values[0]).toBeCloseTo(2, 6);
    expect(f.values[1]).toBe(0);
    expect(Array.from(f.valid)).toEqual([Validity.Fresh, Validity.Fresh]);
  });

  test("a sample exactly on the tick is Fresh without a next one", () => {
    const sync = new Synchroniser(spec, { lookahead: 0 });
    sync.push(s("speed", 0.2, 5));
    expect(sync.frameAt(2)).toEqual({ t: 0.2, values: new Float32Array([5, NaN]), valid: new Uint8Array([Validity.Fresh, Validity.Missing]) });
  });

  test("with nothing after the tick yet: Held within staleAfter, then Missing with NaN", () => {
    const sync = new Synchroniser(spec, { lookahead: 0.05 });
    sync.push(s("speed", 0.05, 7));
    sync.push(s("speed", 0.2, 9)); // beyond the lookahead of tick 0.1: not used for it
    const f1 = sync.frameAt(1);
    expect([f1.values[0], f1.valid[0]]).toEqual([7, Validity.Held]);
    const f3 = sync.frameAt(3); // 0.3 - 0.2 = 0.1 <= 0.3
    expect([f3.values[0], f3.valid[0]]).toEqual([9, Validity.Held]);
    const f6 = sync.frameAt(6); // 0.6 - 0.2 = 0.4 > 0.3
    expect(f6.valid[0]).toBe(Validity.Missing);
    expect(f6.values[0]).toBeNaN();
  });

  test("does not interpolate across a gap longer than staleAfter", () => {
    const sync = new Synchroniser(spec, { lookahead: 1 });
    sync.push(s("speed", 0, 0));
    sync.push(s("speed", 1, 10));
    expect([sync.frameAt(1).values[0], sync.frameAt(1).valid[0]]).toEqual([0, Validity.Held]);
    expect(sync.frameAt(5).valid[0]).toBe(Validity.Missing);
  });

  test("before a channel's first sample it is Missing", () => {
    const sync = new Synchroniser(spec, { lookahead: 0.1 });
    sync.push(s("speed", 0.15, 1));
    expect(sync.frameAt(1).valid[0]).toBe(Validity.Missing);
  });

  test("accepts out-of-order samples it can still use; refuses duplicates, late ones, vectors and NaN", () => {
    const sync = new Synchroniser(spec, { lookahead: 0.1 });
    expect(sync.push(s("speed", 0.15, 3))).toBeUndefined();
    expect(sync.push(s("speed", 0.05, 1))).toBeUndefined();
    expect(sync.push(s("speed", 0.05, 2))?.reason).toBe("duplicate");
    expect(sync.frameAt(1).values[0]).toBeCloseTo(2, 6);
    expect(sync.push(s("speed", 0.01, 0))?.reason).toBe("late");
    expect(sync.push(s("speed", 0.3, new Float32Array([1])))?.reason).toBe("wrong_type");
    expect(sync.push(s("speed", 0.3, NaN))?.reason).toBe("nonfinite");
    expect(sync.push(s("x", 0.3, 1))).toBeUndefined(); // not a frame channel: ignored
  });

  test("a value that overflows float32 is Missing, not Inf", () => {
    const sync = new Synchroniser({ rate: 1, channels: [frameChannel("x")] }, { lookahead: 0 });
    sync.push(s("x", 0, 1e39));
    expect(sync.frameAt(0).valid[0]).toBe(Validity.Missing);
  });

  test("refuses bad specs and ticks going backwards, naming the value", () => {
    expect(() => new Synchroniser({ rate: 0, channels: [] }, { lookahead: 0 })).toThrow(/rate=0/);
    expect(() => new Synchroniser({ rate: 1, channels: [frameChannel("speed"), frameChannel("speed")] }, { lookahead: 0 })).toThrow(/"speed" appears twice/);
    const sync = new Synchroniser(spec, { lookahead: 0 });
    sync.frameAt(5);
    expect(() => sync.frameAt(4)).toThrow(/k=4 is before .* k=5/);
  });

  test("tick times are k / rate exactly", () => {
    const sync = new Synchroniser({ rate: 20, channels: [] }, { lookahead: 0 });
    expect([sync.frameAt(3).t, sync.frameAt(33080000001).t]).toEqual([3 / 20, 33080000001 / 20]);
  });

  test("property: no NaN or Inf in any Fresh/Held value, for any input including NaN, Inf and huge values", () => {
    const value = fc.oneof(fc.double(), fc.constantFrom(NaN, Infinity, -Infinity, 1e300, -0), fc.double({ min: -5, max: 5, noNaN: true }));
    const sample = fc.record({ channel: fc.constantFrom("speed", "brake", "steer"), t: fc.double({ min: 0, max: 3, noNaN: true }), value });
    fc.assert(
      fc.property(fc.array(sample, { maxLength: 60 }), fc.double({ min: 0, max: 0.5, noNaN: true }), (xs, lookahead) => {
        const sync = new Synchroniser(spec, { lookahead });
        for (const x of xs) sync.push(x);
        const frames = Array.from({ length: 31 }, (_, k) => sync.frameAt(k));
        expect(checkFrames(frames)).toBeUndefined();
      }),
    );
  });
});
