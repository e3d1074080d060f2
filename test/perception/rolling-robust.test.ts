import fc from "fast-check";
import { describe, expect, test } from "vitest";
import { RollingRobust } from "../../perception/index.js";

const median = (xs: readonly number[]) => {
  const a = xs.slice().sort((p, q) => p - q);
  const n = a.length;
  return n % 2 ? a[n >> 1] : 0.5 * (a[n / 2 - 1] + a[n / 2]);
};

describe("RollingRobust", () => {
  test("median and MAD of a small window, with the oldest value leaving", () => {
    const r = new RollingRobust(4);
    for (const x of [100, 1, 2, 3, 10]) r.accept(x);
    // window [1, 2, 3, 10]: median 2.5, deviations [1.5, 0.5, 0.5, 7.5] -> MAD 1
    expect(r.median()).toBe(2.5);
    expect(r.mad(2.5)).toBe(1);
  });

  test("property: median and MAD equal a sort-based reference over the last N values", () => {
    const values = fc.array(fc.oneof(fc.integer({ min: -5, max: 5 }), fc.double({ min: -1e3, max: 1e3, noNaN: true })), { minLength: 1, maxLength: 60 });
    fc.assert(
      fc.property(values, fc.integer({ min: 1, max: 16 }), (xs, n) => {
        const r = new RollingRobust(n);
        xs.forEach((x, i) => {
          r.accept(x);
          const win = xs.slice(Math.max(0, i + 1 - n), i + 1);
          const m = median(win);
          // `+ 0` turns −0 into +0: a window holding both zeros may give either sign, and they are the same median.
          expect(r.median() + 0).toBe(m + 0);
          expect(r.mad(m) + 0).toBe(median(win.map((w) => Math.abs(w - m))) + 0);
        });
      }),
    );
  });

  test("a window holding 0 and −0 has median and MAD 0 (random-seed run -1486467616: the reference sorted the zeros the other way)", () => {
    const r = new RollingRobust(3);
    for (const x of [0, -0, -1, 0]) r.accept(x);
    expect(r.median() === 0).toBe(true);
    expect(r.mad(0)).toBe(0);
  });

  test("refuses a size that is not a positive integer", () => {
    expect(() => new RollingRobust(0)).toThrow(/size=0/);
  });
});
