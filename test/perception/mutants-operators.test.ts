// Tests written for the perception operators' surviving mutants (docs/mutation.md, "Survivors by file"): what the
// operators promise beyond their frames (errors and completion pass through, unsubscribing stops the source and every
// timer, one release timer per pending sample, the clock's watermark judges late samples).
import { Observable, Subject, Subscription, VirtualTimeScheduler, take, type SchedulerLike } from "rxjs";
import { TestScheduler } from "rxjs/testing";
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
  type Frame,
  type FrameSpec,
  type Sample,
} from "../../perception/index.js";

const { Fresh: F, Held: H } = Validity;
const speedOnly: FrameSpec = { rate: 10, channels: [{ name: "speed", interp: "linear", staleAfter: 0.3 }] };
const boom = new Error("sensor bridge died");

/** Delegates to `inner`, counting schedule calls (each is one timer armed). */
function counting(inner: SchedulerLike): SchedulerLike & { calls: number } {
  const c = {
    calls: 0,
    now: () => inner.now(),
    schedule: (work: never, delay?: number, state?: never) => {
      c.calls++;
      return inner.schedule(work, delay, state);
    },
  };
  return c as unknown as SchedulerLike & { calls: number };
}

/**
 * Runs work due now at once, inside schedule() (as queueScheduler does), later work on `inner`: the case the
 * operators' `fired` flag exists for (an action that already ran must not be held as the live timer).
 */
function runsDueWorkAtOnce(inner: VirtualTimeScheduler): SchedulerLike {
  return {
    now: () => inner.now(),
    schedule(work: (this: unknown, state?: unknown) => void, delay = 0, state?: unknown) {
      if (delay > 0) return inner.schedule(work as never, delay, state);
      const done = new Subscription();
      work.call(done, state);
      done.unsubscribe();
      return done;
    },
  } as SchedulerLike;
}

/** A virtual clock with a frame limit, so a timer that re-arms for ever ends the flush instead of hanging it. */
const boundedClock = () => new VirtualTimeScheduler(undefined, 10_000);

describe("perceive: stream protocol", () => {
  // window 0.05 + lookahead 0.05 + 1 ms slack: frame T is emitted at T + 101 ms.
  const opts = { window: 0.05, lookahead: 0.05 };

  test("a source error reaches the subscriber", () => {
    const ts = newScheduler();
    ts.run(({ cold, expectObservable }) => {
      const src = cold("a 149ms #", { a: s("speed", 0, 1) }, boom);
      // (Unsubscribed at 300 ms: swallowing the error would give more frames, not a hang.)
      expectObservable(src.pipe(perceive(speedOnly, { ...opts, scheduler: ts })), "^ 300ms !").toBe("101ms a 48ms #", { a: frame(0, [1], [F]) }, boom);
    });
  });

  test("the source's completion emits the frames up to the newest sample, then completes", () => {
    const ts = newScheduler();
    ts.run(({ cold, expectObservable }) => {
      const src = cold("a 99ms b 9ms |", { a: s("speed", 0, 1), b: s("speed", 0.1, 2) });
      expectObservable(src.pipe(perceive(speedOnly, { ...opts, scheduler: ts }))).toBe("101ms a 8ms (b|)", { a: frame(0, [1], [F]), b: frame(0.1, [2], [F]) });
    });
  });

  test("unsubscribing unsubscribes the source", () => {
    const ts = newScheduler();
    ts.run(({ hot, expectObservable, expectSubscriptions }) => {
      const src = hot("a 99ms b 99ms c", { a: s("speed", 0, 1), b: s("speed", 0.1, 2), c: s("speed", 0.2, 3) });
      expectObservable(src.pipe(perceive(speedOnly, { ...opts, scheduler: ts })), "^ 150ms !").toBe("101ms a", { a: frame(0, [1], [F]) });
      expectSubscriptions(src.subscriptions).toBe("^ 150ms !");
    });
  });

  test("ticks start at the first grid time at or after the clock's time at subscription", () => {
    const ts = newScheduler();
    ts.run(({ hot, expectObservable }) => {
      const src = hot("280ms a 19ms b 49ms c", { a: s("speed", 0.28, 1), b: s("speed", 0.3, 2), c: s("speed", 0.35, 3) });
      // Subscribed at 250 ms (source time 0.25): the first frame is 0.3, emitted at 401 ms.
      expectObservable(src.pipe(perceive(speedOnly, { ...opts, scheduler: ts })), "250ms ^ 200ms !").toBe("401ms a", { a: frame(0.3, [2], [F]) });
    });
  });
});

describe("perceive: timers", () => {
  const opts = { window: 0.05, lookahead: 0.05 };

  test("no timer is left once the subscriber unsubscribes (pending samples and the next tick included)", () => {
    const clock = boundedClock();
    const input = new Subject<Sample>();
    const frames: Frame[] = [];
    const sub = input.pipe(perceive(speedOnly, { ...opts, scheduler: clock })).subscribe((f) => frames.push(f));
    clock.schedule(() => input.next(s("speed", 0, 1)), 0);
    clock.schedule(() => input.next(s("speed", 0.01, 2)), 10);
    // Unsubscribed at 20 ms: the release timer for t = 0 (due at 50 ms) and the tick (101 ms) are still pending.
    clock.schedule(() => sub.unsubscribe(), 20);
    clock.flush();
    expect(frames).toEqual([]);
    expect(clock.frame).toBe(20);
    expect(clock.actions).toHaveLength(0);
  });

  test("a subscriber that stops at the first frame leaves no tick armed", () => {
    const clock = boundedClock();
    const frames: Frame[] = [];
    new Subject<Sample>().pipe(perceive(speedOnly, { ...opts, scheduler: clock }), take(1)).subscribe((f) => frames.push(f));
    clock.flush();
    expect(frames).toHaveLength(1);
    expect(clock.frame).toBe(101);
    expect(clock.actions).toHaveLength(0);
  });

  test("on a scheduler that runs due work at once, the timer re-armed inside a release is the one unsubscribing cancels", () => {
    const clock = boundedClock();
    const input = new Subject<Sample>();
    const sub = input.pipe(perceive(speedOnly, { ...opts, scheduler: runsDueWorkAtOnce(clock) })).subscribe();
    // b (t = 0.05) waits for 100 ms; a (t = 0.01, within W of b), arriving at 60 ms, is due already: released at
    // once, inside schedule(), and that release re-arms the timer for b.
    clock.schedule(() => input.next(s("speed", 0.05, 2)), 10);
    clock.schedule(() => input.next(s("speed", 0.01, 1)), 60);
    clock.schedule(() => sub.unsubscribe(), 70);
    clock.flush();
    expect(clock.frame).toBe(70);
    expect(clock.actions).toHaveLength(0);
  });

  test("one release timer per sample for in-order input: a new sample behind a pending one arms nothing", () => {
    const ts = newScheduler();
    const clock = counting(ts);
    // 1 Hz frames, so in 0-200 ms only two ticks are armed (at subscription, and when frame 0 goes out at 101 ms).
    const slow: FrameSpec = { ...speedOnly, rate: 1 };
    const tally = new RejectTally();
    ts.run(({ hot, expectObservable }) => {
      const vals: Record<string, Sample> = {};
      let marble = "";
      for (let i = 0; i < 10; i++) {
        const key = String.fromCharCode(97 + i);
        vals[key] = s("speed", i / 100, i);
        marble += `${key} 9ms `;
      }
      // A bad sample once nothing is pending (at 150 ms): counted, and no timer armed for it.
      vals.x = { channel: "speed", t: 0.15, value: NaN };
      marble += "50ms x";
      expectObservable(hot(marble, vals).pipe(perceive(slow, { ...opts, scheduler: clock, tally })), "^ 200ms !").toBe("101ms a", { a: frame(0, [0], [F]) });
    });
    expect(tally.counts).toEqual({ speed: { nonfinite: 1 } });
    expect(clock.calls).toBe(2 + 10);
  });

  test("once the clock has released up to now − W, a sample stamped before that is late (no newer sample needed)", () => {
    const tally = new RejectTally();
    const ts = newScheduler();
    ts.run(({ hot, expectObservable }) => {
      // a (t = 0) arrives 100 ms late and is released at once; the clock's watermark is then 0.1 − 0.05 = 0.05,
      // so b (t = 0.02), arriving at 101 ms, is 81 ms old: more than W, late.
      const src = hot("100ms a b", { a: s("speed", 0, 1), b: s("speed", 0.02, 5) });
      expectObservable(src.pipe(perceive(speedOnly, { ...opts, scheduler: ts, tally })), "^ 250ms !").toBe("101ms a 99ms b", {
        a: frame(0, [1], [F]),
        b: frame(0.1, [1], [H]),
      });
    });
    expect(tally.counts).toEqual({ speed: { late: 1 } });
  });
});

describe("rejectOutliers", () => {
  const series = (spikeAt: number) => Array.from({ length: 8 }, (_, i) => s("speed", i * 0.01, i === spikeAt ? 60 : 10));

  test("without a tally a spike is still dropped", () => {
    const out: Sample[] = [];
    new Observable<Sample>((sub) => series(6).forEach((x) => sub.next(x))).pipe(rejectOutliers()).subscribe((x) => out.push(x));
    expect(out.map((x) => x.value)).toEqual([10, 10, 10, 10, 10, 10, 10]);
  });

  test("errors and completion pass through", () => {
    newScheduler().run(({ cold, expectObservable }) => {
      expectObservable(cold("a #", { a: s("speed", 0, 1) }, boom).pipe(rejectOutliers())).toBe("a #", { a: s("speed", 0, 1) }, boom);
      expectObservable(cold("a |", { a: s("speed", 0, 1) }).pipe(rejectOutliers())).toBe("a |", { a: s("speed", 0, 1) });
    });
  });
});

describe("historyWindows", () => {
  test("a source error reaches the subscriber", () => {
    const win = { t: 0, length: 1, channels: 1, values: Float32Array.from([1]), valid: Uint8Array.from([F]) };
    newScheduler().run(({ cold, expectObservable }) => {
      expectObservable(cold("a #", { a: frame(0, [1], [F]) }, boom).pipe(historyWindows(1, 1, { copy: true }))).toBe("a #", { a: win }, boom);
    });
  });
});

describe("reorderSamples: timers and protocol", () => {
  const W = 0.02;

  test("one release timer per sample for in-order input, none for a late one", () => {
    const ts = newScheduler();
    const clock = counting(ts);
    const tally = new RejectTally();
    const a = s("speed", 0, 0);
    const b = s("speed", 0.005, 1);
    const c = s("speed", 0.01, 2);
    const d = s("speed", 0.001, 9);
    ts.run(({ hot, expectObservable }) => {
      // d arrives at 60 ms, after the clock released up to 0.04: late, and nothing is pending then.
      expectObservable(hot("a 4ms b 4ms c 49ms d", { a, b, c, d }).pipe(reorderSamples(W, { scheduler: clock, tally }))).toBe("20ms a 4ms b 4ms c", { a, b, c });
    });
    expect(tally.counts).toEqual({ speed: { late: 1 } });
    expect(clock.calls).toBe(3);
  });

  test("once the clock has released up to now − W, a sample stamped before that is late (no newer sample needed)", () => {
    const tally = new RejectTally();
    const ts = newScheduler();
    const a = s("speed", 0, 1);
    ts.run(({ hot, expectObservable }) => {
      // a arrives 50 ms late and leaves at once; the watermark is then 0.05 − 0.02 = 0.03, so b (0.02) is late.
      expectObservable(hot("50ms a b", { a, b: s("speed", 0.02, 5) }).pipe(reorderSamples(W, { scheduler: ts, tally }))).toBe("50ms a", { a });
    });
    expect(tally.counts).toEqual({ speed: { late: 1 } });
  });

  test("without a tally a late sample is dropped quietly", () => {
    const a = s("speed", 0.1, 1);
    newScheduler().run(({ cold, expectObservable }) => {
      expectObservable(cold("a b|", { a, b: s("speed", 0, 2) }).pipe(reorderSamples(W))).toBe("--(a|)", { a });
    });
  });

  test("no timer is left once the subscriber unsubscribes", () => {
    const clock = boundedClock();
    const input = new Subject<Sample>();
    const out: Sample[] = [];
    const sub = input.pipe(reorderSamples(W, { scheduler: clock })).subscribe((x) => out.push(x));
    clock.schedule(() => input.next(s("speed", 0, 1)), 0);
    clock.schedule(() => sub.unsubscribe(), 10);
    clock.flush();
    expect(out).toEqual([]);
    expect(clock.frame).toBe(10);
    expect(clock.actions).toHaveLength(0);
  });

  test("on a scheduler that runs due work at once, the timer re-armed inside a release is the one unsubscribing cancels", () => {
    const clock = boundedClock();
    const input = new Subject<Sample>();
    const out: number[] = [];
    const sub = input.pipe(reorderSamples(W, { scheduler: runsDueWorkAtOnce(clock) })).subscribe((x) => out.push(x.t));
    // b (t = 0.02) is due at 40 ms; a (t = 0.001), arriving at 30 ms, is due already: released inside schedule().
    clock.schedule(() => input.next(s("speed", 0.02, 2)), 10);
    clock.schedule(() => input.next(s("speed", 0.001, 1)), 30);
    clock.schedule(() => sub.unsubscribe(), 35);
    clock.flush();
    expect(out).toEqual([0.001]);
    expect(clock.frame).toBe(35);
    expect(clock.actions).toHaveLength(0);
  });

  test("a source error reaches the subscriber; unsubscribing unsubscribes the source", () => {
    newScheduler().run(({ cold, hot, expectObservable, expectSubscriptions }) => {
      expectObservable(cold("a #", { a: s("speed", 0, 1) }, boom).pipe(reorderSamples(W))).toBe("-#", undefined, boom);
      const src = hot("a 9ms b", { a: s("speed", 0, 1), b: s("speed", 0.01, 2) });
      expectObservable(src.pipe(reorderSamples(W)), "^ 5ms !").toBe("");
      expectSubscriptions(src.subscriptions).toBe("^ 5ms !");
    });
  });
});

describe("syncFrames: options and protocol", () => {
  test("refuses a lookahead below 0 or above the latency, naming both; accepts the edges", () => {
    expect(() => syncFrames(speedOnly, { latency: 0.05, lookahead: -0.01 })).toThrow("latency=0.05 lookahead=-0.01: need 0 <= lookahead <= latency");
    expect(() => syncFrames(speedOnly, { latency: 0.05, lookahead: 0.06 })).toThrow("latency=0.05 lookahead=0.06: need 0 <= lookahead <= latency");
    expect(() => syncFrames(speedOnly, { latency: 0.0005 })).toThrow(/lookahead=-0.0005/);
    expect(() => syncFrames(speedOnly, { latency: 0.05, lookahead: 0 })).not.toThrow();
    expect(() => syncFrames(speedOnly, { latency: 0.05, lookahead: 0.05 })).not.toThrow();
  });

  test("lookahead = latency: a sample stamped T + latency, arriving with frame T's tick, still interpolates into it", () => {
    const ts = newScheduler();
    ts.run(({ hot, expectObservable }) => {
      const src = hot("a 59ms b", { a: s("speed", 0, 0), b: s("speed", 0.06, 6) });
      expectObservable(src.pipe(syncFrames(speedOnly, { scheduler: ts, latency: 0.06, lookahead: 0.06 })), "^ 100ms !").toBe("60ms a", { a: frame(0, [0], [F]) });
    });
  });

  test("the scheduler given is the clock (a VirtualTimeScheduler outside a TestScheduler run)", () => {
    const clock = new VirtualTimeScheduler();
    const frames: Frame[] = [];
    const input = new Subject<Sample>();
    const sub = input.pipe(syncFrames(speedOnly, { scheduler: clock, latency: 0.06 })).subscribe((f) => frames.push(f));
    clock.schedule(() => input.next(s("speed", 0, 1)), 0);
    clock.schedule(() => sub.unsubscribe(), 300);
    clock.flush();
    expect(frames.map((f) => f.t)).toEqual([0, 0.1, 0.2]);
  });

  test("without a scheduler ticks come from asyncScheduler (virtual inside a TestScheduler run)", () => {
    newScheduler().run(({ hot, expectObservable }) => {
      const src = hot("a", { a: s("speed", 0, 1) });
      expectObservable(src.pipe(syncFrames(speedOnly, { latency: 0.06 })), "^ 100ms !").toBe("60ms a", { a: frame(0, [1], [F]) });
    });
  });

  test("ticks start at the first grid time at or after the clock's time at subscription", () => {
    const ts = newScheduler();
    ts.run(({ hot, expectObservable }) => {
      const src = hot("250ms a 49ms b", { a: s("speed", 0.25, 1), b: s("speed", 0.3, 2) });
      expectObservable(src.pipe(syncFrames(speedOnly, { scheduler: ts, latency: 0.06 })), "250ms ^ 150ms !").toBe("360ms a", { a: frame(0.3, [2], [F]) });
    });
  });

  test("a subscriber that stops at the first frame leaves no tick armed", () => {
    const clock = boundedClock();
    const frames: Frame[] = [];
    new Subject<Sample>().pipe(syncFrames(speedOnly, { scheduler: clock, latency: 0.06 }), take(1)).subscribe((f) => frames.push(f));
    clock.flush();
    expect(frames).toHaveLength(1);
    expect(clock.frame).toBe(60);
    expect(clock.actions).toHaveLength(0);
  });

  test("bad samples are counted in the tally, good ones not; without a tally they are dropped quietly", () => {
    const tally = new RejectTally();
    const vals = { a: s("speed", 0, 1), v: { channel: "speed", t: 0.05, value: Float32Array.from([1, 2]) }, b: s("speed", 0.1, 2) };
    const ts = newScheduler();
    ts.run(({ cold, expectObservable }) => {
      const expected = { a: frame(0, [1], [F]), b: frame(0.1, [2], [F]) };
      expectObservable(cold("a 49ms v 49ms b|", vals).pipe(syncFrames(speedOnly, { scheduler: ts, latency: 0.06, tally }))).toBe("60ms a 40ms (b|)", expected);
      expectObservable(cold("a 49ms v 49ms b|", vals).pipe(syncFrames(speedOnly, { scheduler: ts, latency: 0.06 }))).toBe("60ms a 40ms (b|)", expected);
    });
    expect(tally.counts).toEqual({ speed: { wrong_type: 1 } });
  });

  test("on completion the frame at exactly the newest sample's time is emitted", () => {
    const ts = newScheduler();
    ts.run(({ cold, expectObservable }) => {
      const src = cold("a 9ms b|", { a: s("speed", 0, 1), b: s("speed", 0.1, 2) });
      expectObservable(src.pipe(syncFrames(speedOnly, { scheduler: ts, latency: 0.06 }))).toBe("11ms (ab|)", { a: frame(0, [1], [F]), b: frame(0.1, [2], [F]) });
    });
  });

  test("a source error reaches the subscriber; unsubscribing unsubscribes the source", () => {
    const ts = newScheduler();
    ts.run(({ cold, hot, expectObservable, expectSubscriptions }) => {
      expectObservable(cold("a 9ms #", { a: s("speed", 0, 1) }, boom).pipe(syncFrames(speedOnly, { scheduler: ts, latency: 0.06 })), "^ 100ms !").toBe("10ms #", undefined, boom);
      const src = hot("a 99ms b", { a: s("speed", 0, 1), b: s("speed", 0.1, 2) });
      expectObservable(src.pipe(syncFrames(speedOnly, { scheduler: ts, latency: 0.06 })), "^ 80ms !").toBe("60ms a", { a: frame(0, [1], [F]) });
      expectSubscriptions(src.subscriptions).toBe("^ 80ms !");
    });
  });
});

describe("validateSamples", () => {
  test("without a tally a bad sample is dropped quietly; a source error reaches the subscriber", () => {
    newScheduler().run(({ cold, expectObservable }) => {
      const a = s("speed", 0, 1);
      expectObservable(cold("a b c|", { a, b: s("speed", 0.01, NaN), c: s("nope", 0.02, 1) }).pipe(validateSamples())).toBe("a--|", { a });
      expectObservable(cold("a #", { a }, boom).pipe(validateSamples())).toBe("a #", { a }, boom);
    });
  });
});
