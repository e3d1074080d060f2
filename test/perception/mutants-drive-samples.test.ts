// Tests written for perception/drive-samples.ts's and replay-frames.ts's surviving mutants (docs/mutation.md,
// "Survivors by file"): replay as a stream subscribed late, stopped early, or on a scheduler that runs due work at once.
import { VirtualTimeScheduler, queueScheduler, take } from "rxjs";
import { TestScheduler } from "rxjs/testing";
import { describe, expect, test } from "vitest";
import { driveSamples, framesOnVirtualTime, type FrameSpec, type Sample } from "../../perception/index.js";
import { makeDrive } from "./helpers.js";

const newScheduler = () => new TestScheduler((actual, expected) => expect(actual).toEqual(expected));
// Stamps exact in binary, so the due times are whole milliseconds.
const drive = makeDrive({ speed: [[10, 1], [10.125, 2], [10.375, 3]] });
const s = (t: number, value: number): Sample => ({ channel: "speed", t, value, source: "test:speed" });

describe("driveSamples", () => {
  test("each sample at (t − t0) ms on the scheduler; subscribed late, the ones already due come at once", () => {
    const ts = newScheduler();
    ts.run(({ expectObservable }) => {
      expectObservable(driveSamples(drive, ts)).toBe("a 124ms b 249ms (c|)", { a: s(10, 1), b: s(10.125, 2), c: s(10.375, 3) });
    });
    const late = newScheduler();
    late.run(({ expectObservable }) => {
      // Subscribed at 150 ms: a and b are due already.
      expectObservable(driveSamples(drive, late), "150ms ^").toBe("150ms (ab) 221ms (c|)", { a: s(10, 1), b: s(10.125, 2), c: s(10.375, 3) });
    });
  });

  test("a NaN stamp comes out at once (validation rejects it downstream), not never", () => {
    const withNaN = makeDrive({ speed: [[NaN, 9], [0, 1], [0.1, 2]] });
    const ts = newScheduler();
    ts.run(({ expectObservable }) => {
      expectObservable(driveSamples(withNaN, ts)).toBe("(ab) 96ms (c|)", { a: s(NaN, 9), b: s(0, 1), c: s(0.1, 2) });
    });
  });

  test("stopped early, nothing stays scheduled", () => {
    // The clock runs to 100 ms only: a timer left for the sample at 125 ms would still be listed.
    const clock = new VirtualTimeScheduler(undefined, 100);
    const got: number[] = [];
    driveSamples(drive, clock).pipe(take(1)).subscribe((x) => got.push(x.t));
    const sub = driveSamples(drive, clock).subscribe((x) => got.push(x.t));
    clock.schedule(() => sub.unsubscribe(), 50);
    clock.flush();
    expect(got).toEqual([10, 10]); // the second subscription stopped at 50 ms, before 10.125
    expect(clock.frame).toBe(50);
    expect(clock.actions).toHaveLength(0);
  });

  test("an empty drive completes, also on a scheduler that runs due work at once (queueScheduler)", () => {
    const empty = makeDrive({});
    let completed = false;
    driveSamples(empty, queueScheduler).subscribe({ complete: () => (completed = true) });
    expect(completed).toBe(true);
  });
});

describe("framesOnVirtualTime", () => {
  test("a perception error is thrown to the caller, not swallowed", () => {
    const twice: FrameSpec = { rate: 10, channels: [{ name: "speed", interp: "linear", staleAfter: 0.5 }, { name: "speed", interp: "hold", staleAfter: 0.5 }] };
    expect(() => framesOnVirtualTime(drive, twice)).toThrow('frame channel "speed" appears twice in the FrameSpec');
  });
});
