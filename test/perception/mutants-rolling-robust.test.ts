// RollingRobust behaviour that StrykerJS found unchecked (docs/mutation.md, "perception/rolling-robust.ts").
import { describe, expect, test } from "vitest";
import { RollingRobust } from "../../perception/index.js";

describe("RollingRobust (mutation survivors)", () => {
  test("an even window whose midpoint rounds off-centre still has a finite MAD (the merge runs past the right end)", () => {
    // 0.5 * (0.1 + 0.2) = 0.15000000000000002: the right deviation (0.04999999999999999) is the smaller, so the
    // merge takes the right value first and must then take the left one, not read past the end of the window.
    const r = new RollingRobust(2);
    r.accept(0.1);
    r.accept(0.2);
    const m = r.median();
    expect(m - 0.1).toBeGreaterThan(0.2 - m);
    expect(r.mad(m)).toBe(0.5 * (0.2 - m + (m - 0.1)));
    // The same in a window that is not yet full, as the outlier filter sees while it warms up.
    const w = new RollingRobust(5);
    for (const x of [0.1, 0.2]) w.accept(x);
    expect(w.mad(w.median())).toBe(r.mad(m));
  });

  test("reset() empties the window: what follows is judged on its own", () => {
    const r = new RollingRobust(3);
    for (const x of [100, 200, 300]) r.accept(x);
    r.reset();
    expect(r.count).toBe(0);
    r.accept(1);
    expect([r.median(), r.mad(1)]).toEqual([1, 0]);
    r.accept(3);
    r.accept(2);
    expect([r.median(), r.mad(2)]).toEqual([2, 1]);
    r.accept(10); // 1 leaves (the oldest after the reset), not one of the values from before it
    expect([r.median(), r.mad(3)]).toEqual([3, 1]);
  });
});
