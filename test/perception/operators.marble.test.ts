import fc from "fast-check";
import { Observable, VirtualTimeScheduler } from "rxjs";
import { describe, expect, test } from "vitest";
import { frame, newScheduler, s } from "./marble-helpers.js";
import {
  RejectTally,
  Validity,
  historyWindows,
  perceive,
  rejectOutliers,
  reorderSamples,
  syncFrames,
  validateSamples,
  type FrameSpec,
  type Sample,
} from "../../perception/index.js";

// Marble time is virtual milliseconds; with origin 0 a sample stamped t s is on time at frame t*1000.
// The TestScheduler itself is passed as the operators' scheduler.
const { Fresh: F, Held: H, Missing: M } = Validity;
const speedOnly: FrameSpec = { rate: 10, channels: [{ name: "speed", interp: "linear", staleAfter: 0.3 }] };

describe("validateSamples", () => {
  test("passes good samples at the same instant, counts the rest", () => {
    const tally = new RejectTally();
    newScheduler().run(({ cold, expectObservable }) => {
      const src = cold("a 9ms b 9ms c 9ms d|", { a: s("speed", 0, 1), b: s("speed", 0.01, NaN), c: { channel: "speed" }, d: s("speed", 0.03, 2) });
      expectObservable(src.pipe(validateSamples({ tally }))).toBe("a 29ms d|", { a: s("speed", 0, 1), d: s("speed", 0.03, 2) });
    });
    expect(tally.counts).toEqual({ speed: { nonfinite: 1, wrong_type: 1 } });
  });
});

describe("reorderSamples", () => {
  const a = s("speed", 0, 0);
  const b = s("speed", 0.005, 1);
  const c = s("speed", 0.01, 2);
  const d = s("speed", 0.001, 9);

  test("with a clock: each sample leaves W after its stamp, in time order; one past the watermark is late", () => {
    const tally = new RejectTally();
    const ts = newScheduler();
    ts.run(({ hot, expectObservable }) => {
      const src = hot("a 4ms c 4ms b 29ms d", { a, b, c, d });
      expectObservable(src.pipe(reorderSamples(0.02, { scheduler: ts, origin: 0, tally }))).toBe("20ms a 4ms b 4ms c", { a, b, c });
    });
    expect(tally.counts).toEqual({ speed: { late: 1 } });
  });

  test("the clock releases samples even when the input goes quiet; origin maps source time", () => {
    const ts = newScheduler();
    const late = s("speed", 1000.03, 1);
    const early = s("speed", 1000.01, 0);
    ts.run(({ hot, expectObservable }) => {
      const src = hot("10ms l 9ms e", { l: late, e: early });
      expectObservable(src.pipe(reorderSamples(0.05, { scheduler: ts, origin: 1000 }))).toBe("60ms e 19ms l", { e: early, l: late });
    });
  });

  test("without a clock: newer samples move the watermark, completion flushes the rest", () => {
    newScheduler().run(({ cold, expectObservable }) => {
      const e = s("speed", 0.035, 3);
      const src = cold("a 4ms c 4ms b 4ms e 4ms |", { a, b, c, e });
      // e (0.035) moves the watermark to 0.015: a, b, c leave together at e's arrival.
      expectObservable(src.pipe(reorderSamples(0.02))).toBe("15ms (abc) (e|)", { a, b, c, e });
    });
  });

  test("property: on a clock, every sample that arrives less than W after its stamp leaves once, in order", () => {
    const input = fc.uniqueArray(fc.record({ ch: fc.constantFrom("speed", "steer"), ms: fc.integer({ min: 0, max: 1000 }), delay: fc.integer({ min: 0, max: 49 }) }), {
      selector: (x) => `${x.ch}@${x.ms}`,
      maxLength: 60,
    });
    fc.assert(
      fc.property(input, fc.double({ min: 0, max: 1e9, noNaN: true }), (xs, origin) => {
        const sched = new VirtualTimeScheduler();
        // Each sample arrives `delay` ms after its stamp on the scheduler's clock.
        const src = new Observable<Sample>((sub) => {
          for (const x of xs) sched.schedule(() => sub.next(s(x.ch, origin + x.ms / 1000, x.ms)), x.ms + x.delay);
          sched.schedule(() => sub.complete(), 2000);
        });
        const tally = new RejectTally();
        const out: Array<[string, number]> = [];
        src.pipe(reorderSamples(0.05, { scheduler: sched, origin, tally })).subscribe((x) => out.push([x.channel, x.value as number]));
        sched.flush();
        expect(tally.total).toBe(0);
        const expected = xs.map((x) => [x.ch, x.ms] as [string, number]).sort((p, q) => p[1] - q[1] || (p[0] < q[0] ? -1 : p[0] > q[0] ? 1 : 0));
        expect(out).toEqual(expected);
      }),
    );
  });
});

describe("rejectOutliers", () => {
  test("drops a spike at its arrival and passes the rest unchanged", () => {
    const tally = new RejectTally();
    const vals: Record<string, Sample> = {};
    let marble = "";
    for (let i = 0; i < 8; i++) {
      const key = String.fromCharCode(97 + i);
      vals[key] = s("speed", i * 0.01, i === 6 ? 60 : 10);
      marble += `${key} 9ms `;
    }
    const expected = marble.replace("g 9ms", "- 9ms");
    newScheduler().run(({ cold, expectObservable }) => {
      expectObservable(cold(marble, vals).pipe(rejectOutliers({ tally }))).toBe(expected, vals);
    });
    expect(tally.counts).toEqual({ speed: { outlier: 1 } });
  });
});

describe("syncFrames", () => {
  test("frame T is emitted at T + latency; a dead sensor goes Fresh -> Held -> Missing", () => {
    const ts = newScheduler();
    ts.run(({ hot, expectObservable }) => {
      const src = hot("a 99ms b 49ms c", { a: s("speed", 0, 0), b: s("speed", 0.1, 1), c: s("speed", 0.15, 2) });
      const out = src.pipe(syncFrames(speedOnly, { scheduler: ts, latency: 0.06 }));
      expectObservable(out, "600ms !").toBe("60ms a 99ms b 99ms c 99ms d 99ms e 99ms f", {
        a: frame(0, [0], [F]),
        b: frame(0.1, [1], [F]),
        c: frame(0.2, [2], [H]),
        d: frame(0.3, [2], [H]),
        e: frame(0.4, [2], [H]), // 0.25 s after the last sample: still within staleAfter 0.3
        f: frame(0.5, [NaN], [M]),
      });
    });
  });

  test("interpolates with a sample that arrives after T but before T + latency", () => {
    const ts = newScheduler();
    ts.run(({ hot, expectObservable }) => {
      const src = hot("50ms a 99ms b", { a: s("speed", 0.05, 1), b: s("speed", 0.15, 3) });
      const out = src.pipe(syncFrames(speedOnly, { scheduler: ts, latency: 0.06 }));
      expectObservable(out, "300ms !").toBe("60ms a 99ms b 99ms c", { a: frame(0, [NaN], [M]), b: frame(0.1, [2], [F]), c: frame(0.2, [3], [H]) });
    });
  });

  test("a sample arriving after its frame's tick does not change the frame already sent", () => {
    const ts = newScheduler();
    ts.run(({ hot, expectObservable }) => {
      // b (t = 0.15) arrives at 200 ms, after frame 0.1 went out at 160 ms.
      const src = hot("50ms a 149ms b", { a: s("speed", 0.05, 1), b: s("speed", 0.15, 3) });
      const out = src.pipe(syncFrames(speedOnly, { scheduler: ts, latency: 0.06 }));
      expectObservable(out, "300ms !").toBe("60ms a 99ms b 99ms c", { a: frame(0, [NaN], [M]), b: frame(0.1, [1], [H]), c: frame(0.2, [3], [H]) });
    });
  });

  test("starts at the first grid tick at or after subscription; on completion emits the ticks up to the newest sample", () => {
    const ts = newScheduler();
    ts.run(({ cold, expectObservable }) => {
      // origin 2.0: scheduler time 0 is source time 2.0, the first tick is 2.0.
      const src = cold("a 99ms b 9ms c|", { a: s("speed", 2.0, 0), b: s("speed", 2.1, 1), c: s("speed", 2.35, 3.5) });
      const out = src.pipe(syncFrames(speedOnly, { scheduler: ts, latency: 0.06, origin: 2 }));
      expectObservable(out).toBe("60ms a 50ms (bcd|)", {
        a: frame(2.0, [0], [F]),
        b: frame(2.1, [1], [F]),
        c: frame(2.2, [1], [H]), // 2.35 lies beyond 2.2 + lookahead: held, even at the end
        d: frame(2.3, [3], [F]),
      });
    });
  });
});

describe("perceive", () => {
  const spec: FrameSpec = {
    rate: 10,
    channels: [
      { name: "speed", interp: "linear", staleAfter: 0.3 },
      { name: "steer", interp: "linear", staleAfter: 0.1 },
    ],
  };

  test("reorders within the window, counts late and bad samples, and marks a dead sensor Missing while the other stays Fresh", () => {
    const tally = new RejectTally();
    const ts = newScheduler();
    const v: Record<string, unknown> = {
      a: s("speed", 0, 0),
      b: s("steer", 0.0, 0.1),
      c: s("steer", 0.06, 0.2), // arrives after d: out of order, within the 0.03 s window
      d: s("speed", 0.08, 0.8),
      e: s("speed", 0.12, 1.2),
      f: s("steer", 0.02, 0.5), // 0.1 s late: beyond the window
      g: s("speed", 0.2, 2),
      h: { channel: "speed", t: 0.25, value: Infinity },
      i: s("speed", 0.3, 3),
    };
    ts.run(({ hot, expectObservable }) => {
      const src = hot("(ab) 79ms d 1ms c 37ms (ef) 79ms g 49ms h 49ms i", v);
      // window 0.03 + lookahead 0.05 + 0.001 slack: frame T goes out at T + 81 ms.
      const out = src.pipe(perceive(spec, { scheduler: ts, window: 0.03, lookahead: 0.05, tally }));
      expectObservable(out, "400ms !").toBe("81ms a 99ms b 99ms c 99ms d", {
        a: frame(0, [0, 0.1], [F, F]),
        b: frame(0.1, [1, 0.2], [F, H]),
        c: frame(0.2, [2, NaN], [F, M]),
        d: frame(0.3, [3, NaN], [F, M]),
      });
    });
    expect(tally.counts).toEqual({ steer: { late: 1 }, speed: { nonfinite: 1 } });
  });

  test("refuses a latency shorter than the reorder window", () => {
    expect(() => perceive(spec, { window: 0.1, latency: 0.05 })).toThrow(/latency=0.05 must be >= window \(0.1\)/);
  });
});

describe("historyWindows", () => {
  test("one window per frame once N frames have arrived, at the frame's instant", () => {
    const fr = (i: number) => frame(i / 10, [i], [F]);
    const win = (i: number) => ({ t: i / 10, length: 2, channels: 1, values: Float32Array.from([i - 1, i]), valid: Uint8Array.from([F, F]) });
    newScheduler().run(({ cold, expectObservable }) => {
      const src = cold("a 99ms b 99ms c|", { a: fr(0), b: fr(1), c: fr(2) });
      expectObservable(src.pipe(historyWindows(2, 1, { copy: true }))).toBe("100ms b 99ms c|", { b: win(1), c: win(2) });
    });
  });
});
