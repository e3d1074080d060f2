import { describe, expect, it } from "vitest";
import { SLACK_S, releaseDueMs, resolveTiming, tickDueMs } from "../../perception/timing.js";

// The perception time model (written for StrykerJS survivors: only integration tests used it before).

describe("resolveTiming", () => {
  it("defaults: window 0.05 s, lookahead 0.1 s, latency their sum plus the slack", () => {
    expect(resolveTiming()).toEqual({ window: 0.05, lookahead: 0.1, latency: 0.05 + 0.1 + SLACK_S });
    expect(resolveTiming({ window: 0, lookahead: 0 })).toEqual({ window: 0, lookahead: 0, latency: SLACK_S });
  });
  it("a latency sets the lookahead to what is left after window and slack", () => {
    const t = resolveTiming({ window: 0.02, latency: 0.5 });
    expect(t.window).toBe(0.02);
    expect(t.latency).toBe(0.5);
    expect(t.lookahead).toBeCloseTo(0.5 - 0.02 - SLACK_S, 12);
    // A latency of exactly window + slack leaves lookahead 0, which is allowed, also when asked for explicitly.
    expect(resolveTiming({ window: 0, latency: SLACK_S })).toEqual({ window: 0, lookahead: 0, latency: SLACK_S });
    expect(resolveTiming({ window: 0, lookahead: 0, latency: SLACK_S })).toEqual({ window: 0, lookahead: 0, latency: SLACK_S });
  });
  it("a lookahead given with a latency is kept when the latency covers it, exactly or with room", () => {
    expect(resolveTiming({ window: 0.25, lookahead: 0.25, latency: 1 })).toEqual({ window: 0.25, lookahead: 0.25, latency: 1 });
    const exact = 0.25 + 0.25 + SLACK_S;
    expect(resolveTiming({ window: 0.25, lookahead: 0.25 - 1e-12, latency: exact }).lookahead).toBe(0.25 - 1e-12);
  });
  it("rejects, naming the value: a negative or NaN window, a latency below window + slack, a lookahead it cannot cover, a negative lookahead", () => {
    expect(() => resolveTiming({ window: -0.01 })).toThrow("window=-0.01 must be >= 0 seconds");
    expect(() => resolveTiming({ window: NaN })).toThrow("window=NaN must be >= 0 seconds");
    expect(() => resolveTiming({ window: 0.05, latency: 0.05 })).toThrow(`latency=0.05 must be >= window (0.05) + ${SLACK_S} s`);
    expect(() => resolveTiming({ window: 0.25, lookahead: 0.5, latency: 0.5 })).toThrow(`lookahead=0.5 needs latency >= ${0.25 + 0.5 + SLACK_S}, got 0.5`);
    expect(() => resolveTiming({ lookahead: -1 })).toThrow("lookahead=-1 must be >= 0 seconds");
    expect(() => resolveTiming({ lookahead: NaN })).toThrow("lookahead=NaN must be >= 0 seconds");
  });
});

describe("scheduler times in whole milliseconds", () => {
  it("a tick rounds up and a release rounds down, both relative to the origin", () => {
    expect(tickDueMs(10.0004, 10, 0)).toBe(1);
    expect(releaseDueMs(10.0006, 10, 0)).toBe(0);
    expect(tickDueMs(12, 10, 0.5)).toBe(2500);
    expect(releaseDueMs(12, 10, 0.5)).toBe(2500);
    expect(tickDueMs(9, 10, 0)).toBe(-1000);
  });
  it("float noise just past a whole millisecond does not move a tick or a release to the next one", () => {
    // 0.1 + 0.2 = 0.30000000000000004: still tick 300 ms, not 301; release 299.99999999999994 ms stays 300.
    expect(tickDueMs(0.1 + 0.2, 0, 0)).toBe(300);
    expect(releaseDueMs(0.3 - 1e-16 * 6, 0, 0)).toBe(300);
    expect(releaseDueMs(0.29, 0, 0)).toBe(290);
  });
  it("with the slack in the latency a sample released for a frame leaves strictly before the frame's tick", () => {
    const { window, latency } = resolveTiming();
    for (const T of [0, 0.05, 1.23, 1000.1]) {
      const tSample = T + resolveTiming().lookahead;
      expect(releaseDueMs(tSample, 0, window)).toBeLessThan(tickDueMs(T, 0, latency));
    }
  });
});
