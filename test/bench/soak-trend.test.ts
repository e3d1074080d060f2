import { describe, expect, it } from "vitest";
import { trend } from "../../bench/soak-trend.js";

const run = (n: number, f: (i: number) => number) => Array.from({ length: n }, (_, i) => f(i));

describe("soak trend", () => {
  it("a flat series with a start-up spike in row 1 is flat", () => {
    const rows = run(30, (i) => (i === 0 ? 146 : 120 + (i % 3)));
    const t = trend(rows)!;
    expect(t.flat).toBe(true);
    expect(t.start).toBe(121);
  });

  it("noise of ±40% around a constant level is flat when it has no direction", () => {
    const rows = run(30, (i) => 0.3 * (1 + 0.4 * Math.sin(i * 2.1)));
    expect(trend(rows)!.flat).toBe(true);
  });

  it("a slow leak of 0.5% a row (15% over 30 rows) is not flat", () => {
    const rows = run(30, (i) => 120 * (1 + 0.005 * i));
    const t = trend(rows)!;
    expect(t.flat).toBe(false);
    expect(t.line_change).toBeCloseTo(0.145, 2);
    expect(t.ratio).toBeGreaterThan(1.1);
  });

  it("a step up late in the run is not flat even if the line is gentle", () => {
    const rows = run(30, (i) => (i < 24 ? 100 : 125));
    const t = trend(rows)!;
    expect(t.ratio).toBe(1.25);
    expect(t.flat).toBe(false);
  });

  it("ignores missing intervals and needs two values", () => {
    expect(trend([null, 5])).toBeNull();
    expect(trend([1, null, 1, Number.NaN, 1])!.flat).toBe(true);
  });
});
