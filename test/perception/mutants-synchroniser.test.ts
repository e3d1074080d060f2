// Synchroniser behaviour that StrykerJS found unchecked (docs/mutation.md, "perception/synchroniser.ts"): the exact
// edges of staleAfter and the lookahead, out-of-order samples after frames were built, the rejection messages, and
// the compaction that keeps a channel's memory bounded.
import { describe, expect, test } from "vitest";
import { Synchroniser, Validity, type FrameSpec, type Sample } from "../../perception/index.js";

const s = (channel: string, t: number, value: number | Float32Array): Sample => ({ channel, t, value });
const one = (interp: "linear" | "hold", staleAfter: number, rate: number): FrameSpec => ({ rate, channels: [{ name: "x", interp, staleAfter }] });
const at = (sync: Synchroniser, k: number) => {
  const f = sync.frameAt(k);
  return [f.values[0], f.valid[0]];
};

describe("Synchroniser (mutation survivors)", () => {
  test("refuses a negative or NaN lookahead and staleAfter, naming the value; 0 is allowed for both", () => {
    expect(() => new Synchroniser(one("linear", 0.1, 10), { lookahead: -0.1 })).toThrow("lookahead=-0.1 must be >= 0 seconds");
    expect(() => new Synchroniser(one("linear", 0.1, 10), { lookahead: NaN })).toThrow("lookahead=NaN must be >= 0 seconds");
    expect(() => new Synchroniser(one("linear", -1, 10), { lookahead: 0 })).toThrow('frame channel "x": staleAfter=-1 must be >= 0');
    expect(() => new Synchroniser(one("linear", NaN, 10), { lookahead: 0 })).toThrow('frame channel "x": staleAfter=NaN must be >= 0');
    // staleAfter 0: only a sample exactly on the tick is used.
    const sync = new Synchroniser(one("hold", 0, 10), { lookahead: 0 });
    sync.push(s("x", 0, 4));
    sync.push(s("x", 0.15, 5));
    expect([at(sync, 0), at(sync, 1)]).toEqual([
      [4, Validity.Fresh],
      [NaN, Validity.Missing],
    ]);
  });

  test("rejection messages name the channel, the stamp and what was wrong", () => {
    const sync = new Synchroniser(one("linear", 0.3, 10), { lookahead: 0.1 });
    expect(sync.push(s("x", 0.3, new Float32Array([1])))?.message).toBe("channel=x t=0.3: a vector sample cannot fill a scalar frame channel");
    expect(sync.push(s("x", 0.3, Infinity))?.message).toBe("channel=x t=0.3: value=Infinity");
    expect(sync.push(s("x", NaN, 1))?.message).toBe("channel=x t=NaN: value=1");
    sync.push(s("x", 0.05, 1));
    sync.push(s("x", 0.2, 2));
    expect(sync.push(s("x", 0.2, 3))?.message).toBe("channel=x t=0.2: a sample with this time was already received");
    sync.frameAt(1);
    expect(sync.push(s("x", 0.01, 0))?.message).toBe("channel=x t=0.01: frames after it were already built");
  });

  test("a repeat of the newest stamp is a duplicate, and the first value stays", () => {
    const sync = new Synchroniser(one("hold", 0.3, 10), { lookahead: 0 });
    expect(sync.push(s("x", 0.1, 1))).toBeUndefined();
    expect(sync.push(s("x", 0.1, 2))?.reason).toBe("duplicate");
    expect(sync.retained("x")).toBe(1);
    expect(at(sync, 1)).toEqual([1, Validity.Fresh]);
  });

  test("after a frame, a late-arriving sample between the one it used and the newest is still inserted and used", () => {
    const sync = new Synchroniser(one("linear", 0.3, 10), { lookahead: 0.1 });
    sync.push(s("x", 0.05, 0));
    sync.push(s("x", 0.3, 0));
    expect(at(sync, 1)).toEqual([0, Validity.Held]); // 0.05 held: 0.3 lies beyond the lookahead
    expect(sync.push(s("x", 0.15, 9))).toBeUndefined();
    // A repeat of the sample frame 1 used is a duplicate (not late: frames at or after it may still use it).
    expect(sync.push(s("x", 0.05, 7))?.reason).toBe("duplicate");
    const [v, valid] = at(sync, 2); // T = 0.2 between 0.15 (9) and 0.3 (0)
    expect(valid).toBe(Validity.Fresh);
    expect(v).toBeCloseTo(9 - (9 * 0.05) / 0.15, 5);
  });

  test("an out-of-order sample between two received ones is inserted, not taken for a duplicate", () => {
    const sync = new Synchroniser(one("linear", 0.3, 10), { lookahead: 0.2 });
    sync.push(s("x", 0, 0));
    sync.push(s("x", 0.2, 0));
    expect(sync.push(s("x", 0.1, 5))).toBeUndefined();
    expect(sync.retained("x")).toBe(3);
    expect(at(sync, 1)).toEqual([5, Validity.Fresh]);
  });

  test("lastT is the newest stamp received, also after an older sample arrives", () => {
    const sync = new Synchroniser(one("linear", 0.3, 10), { lookahead: 0.1 });
    expect(sync.lastT).toBe(-Infinity);
    sync.push(s("x", 0.3, 1));
    sync.push(s("x", 0.1, 1));
    expect(sync.lastT).toBe(0.3);
  });

  test("a frame built before a channel's first sample does not make that channel's later reordering late", () => {
    const sync = new Synchroniser(one("linear", 0.3, 10), { lookahead: 0.1 });
    expect(at(sync, 0)).toEqual([NaN, Validity.Missing]);
    expect(sync.push(s("x", 0.5, 1))).toBeUndefined();
    expect(sync.push(s("x", 0.3, 3))).toBeUndefined();
    expect(at(sync, 3)).toEqual([3, Validity.Fresh]);
  });

  test("a sample exactly on the tick is the one used, not the one before it", () => {
    const sync = new Synchroniser(one("hold", 0.3, 10), { lookahead: 0 });
    sync.push(s("x", 0.05, 0));
    sync.push(s("x", 0.1, 1));
    expect(at(sync, 1)).toEqual([1, Validity.Fresh]);
  });

  test("a next sample exactly at tick + lookahead is used for the interpolation", () => {
    const sync = new Synchroniser(one("linear", 0.3, 10), { lookahead: 0.1 });
    sync.push(s("x", 0, 0));
    sync.push(s("x", 0.2, 2)); // 0.1 + 0.1 === 0.2 in float64
    expect(at(sync, 1)).toEqual([1, Validity.Fresh]);
  });

  test("two samples exactly staleAfter apart are interpolated (Fresh); exactly staleAfter after a sample it is Held", () => {
    // Times and staleAfter are powers of two: the differences are exact.
    const sync = new Synchroniser(one("linear", 0.25, 8), { lookahead: 0.25 });
    sync.push(s("x", 0, 0));
    sync.push(s("x", 0.25, 2));
    expect(at(sync, 1)).toEqual([1, Validity.Fresh]);
    const held = new Synchroniser(one("linear", 0.5, 4), { lookahead: 0 });
    held.push(s("x", 0, 6));
    expect([at(held, 2), at(held, 3)]).toEqual([
      [6, Validity.Held],
      [NaN, Validity.Missing],
    ]);
  });

  test("retained() is undefined for a channel outside the spec", () => {
    const sync = new Synchroniser(one("linear", 0.3, 10), { lookahead: 0 });
    expect([sync.retained("x"), sync.retained("y")]).toEqual([0, undefined]);
  });

  // A 100 Hz channel with value 3t, framed at 10 Hz: 100 s of it is 10,000 samples.
  const RATE = 10;
  const HZ = 100;
  const N = 10_000;
  const spec = one("linear", 0.05, RATE);
  const bound = 600; // a few hundred samples: what compaction allows, far below the 10,000 received

  test("memory stays bounded on an endless stream: samples frames have moved past are released", () => {
    const sync = new Synchroniser(spec, { lookahead: 0.02 });
    let k = 0;
    let most = 0;
    for (let i = 0; i < N; i++) {
      expect(sync.push(s("x", i / HZ, (3 * i) / HZ))).toBeUndefined();
      while ((k + 1) / RATE <= sync.lastT - 0.02) {
        const [v, valid] = at(sync, k);
        expect(valid).toBe(Validity.Fresh);
        expect(v).toBeCloseTo((3 * k) / RATE, 4);
        k++;
      }
      most = Math.max(most, sync.retained("x")!);
    }
    expect(k).toBeGreaterThan(990);
    expect(most).toBeLessThan(bound);
  });

  test("a whole drive pushed first is released as frames consume it, and the values stay right", () => {
    const sync = new Synchroniser(spec, { lookahead: 0.02 });
    for (let i = 0; i < N; i++) sync.push(s("x", i / HZ, (3 * i) / HZ));
    expect(sync.retained("x")).toBe(N);
    for (let k = 0; k < N / (HZ / RATE); k++) {
      const [v, valid] = at(sync, k);
      expect(valid).toBe(Validity.Fresh);
      expect(v).toBeCloseTo((3 * k) / RATE, 4);
    }
    expect(sync.retained("x")).toBeLessThan(bound);
  });
});
