import fc from "fast-check";
import { describe, expect, test } from "vitest";
import { ReorderBuffer, type Sample } from "../../perception/index.js";

const s = (channel: string, t: number, value = t): Sample => ({ channel, t, value });

function run(buf: ReorderBuffer, input: readonly Sample[]) {
  const out: Sample[] = [];
  const rejected: string[] = [];
  for (const x of input) {
    const r = buf.push(x, out);
    if (r) rejected.push(`${r.reason} ${x.channel}@${x.t}`);
  }
  const beforeFlush = out.length;
  buf.flush(out);
  return { out, rejected, beforeFlush };
}

const key = (x: Sample) => `${x.channel}@${x.t}`;

describe("ReorderBuffer", () => {
  test("releases out-of-order samples within the window in time order", () => {
    const { out, rejected } = run(new ReorderBuffer(0.1), [s("a", 0), s("a", 0.05), s("b", 0.02), s("a", 0.2), s("b", 0.12)]);
    expect(out.map(key)).toEqual(["a@0", "b@0.02", "a@0.05", "b@0.12", "a@0.2"]);
    expect(rejected).toEqual([]);
  });

  test("holds samples until the watermark (newest - W) passes them", () => {
    const buf = new ReorderBuffer(0.1);
    const out: Sample[] = [];
    buf.push(s("a", 1), out);
    buf.push(s("a", 1.05), out);
    expect(out).toEqual([]);
    buf.push(s("a", 1.1), out);
    expect(out.map(key)).toEqual(["a@1"]);
    expect(buf.watermark).toBeCloseTo(1.0, 12);
  });

  test("drops a sample older than the released watermark as late, and keeps the good ones beside it", () => {
    const { out, rejected } = run(new ReorderBuffer(0.1), [s("a", 0), s("a", 0.5), s("b", 0.3), s("b", 0.45), s("a", 0.6)]);
    expect(rejected).toEqual(["late b@0.3"]);
    expect(out.map(key)).toEqual(["a@0", "b@0.45", "a@0.5", "a@0.6"]);
  });

  test("drops exact duplicates, pending or already released; same t on another channel is not one", () => {
    const { out, rejected } = run(new ReorderBuffer(0.1), [s("a", 0, 1), s("a", 0, 2), s("b", 0), s("a", 0.2), s("a", 0.1), s("a", 0.1, 9)]);
    expect(rejected).toEqual(["duplicate a@0", "duplicate a@0.1"]);
    expect(out.map((x) => `${key(x)}=${x.value}`)).toEqual(["a@0=1", "b@0=0", "a@0.1=0.1", "a@0.2=0.2"]);
  });

  test("advance() follows a clock and never moves the watermark back", () => {
    const buf = new ReorderBuffer(1);
    const out: Sample[] = [];
    buf.push(s("a", 5), out);
    buf.advance(5, out);
    expect(out.map(key)).toEqual(["a@5"]);
    buf.advance(2, out);
    expect(buf.watermark).toBe(5);
    expect(buf.push(s("a", 4.5), out)?.reason).toBe("late");
  });

  test("refuses a non-finite stamp instead of corrupting its order", () => {
    const buf = new ReorderBuffer(0.1);
    expect(buf.push(s("a", NaN), [])?.reason).toBe("wrong_type");
    expect(buf.size).toBe(0);
  });

  test("rejects a negative window", () => {
    expect(() => new ReorderBuffer(-1)).toThrow(/window=-1/);
  });

  // Distinct (channel, t) pairs on a 1 ms grid, each arriving after a delay below the window.
  const inWindow = fc
    .uniqueArray(fc.record({ channel: fc.constantFrom("a", "b", "c"), ms: fc.integer({ min: 0, max: 2000 }), delay: fc.integer({ min: 0, max: 99 }) }), {
      selector: (x) => `${x.channel}@${x.ms}`,
      maxLength: 80,
    })
    .map((xs) => xs.map((x) => ({ sample: s(x.channel, x.ms / 1000), arrival: x.ms + x.delay })));

  test("property: every sample delayed less than W is released exactly once, in (t, channel) order, whatever the arrival order", () => {
    fc.assert(
      fc.property(inWindow, fc.integer(), (xs, seed) => {
        const arrivals = xs.slice().sort((p, q) => p.arrival - q.arrival || ((p.sample.t * 7919 + seed) % 13) - ((q.sample.t * 7919 + seed) % 13));
        const { out, rejected } = run(new ReorderBuffer(0.1), arrivals.map((x) => x.sample));
        const expected = xs.map((x) => x.sample).sort((p, q) => p.t - q.t || (p.channel < q.channel ? -1 : p.channel > q.channel ? 1 : 0));
        expect(rejected).toEqual([]);
        expect(out).toEqual(expected);
      }),
    );
  });

  test("property: any arrival order, with duplicates: output time-ordered, no duplicates, released + rejected = inputs", () => {
    const anyInput = fc.array(fc.record({ channel: fc.constantFrom("a", "b"), ms: fc.integer({ min: 0, max: 500 }) }), { maxLength: 100 });
    fc.assert(
      fc.property(anyInput, fc.integer({ min: 0, max: 200 }), (xs, wMs) => {
        const input = xs.map((x) => s(x.channel, x.ms / 1000));
        const { out, rejected } = run(new ReorderBuffer(wMs / 1000), input);
        expect(out.length + rejected.length).toBe(input.length);
        for (let i = 1; i < out.length; i++) expect(out[i].t).toBeGreaterThanOrEqual(out[i - 1].t);
        expect(new Set(out.map(key)).size).toBe(out.length);
        // A (channel, t) pair is lost only if it arrived late: its first arrival must then be released.
        const firstArrival = new Set(input.map(key));
        const outKeys = new Set(out.map(key));
        for (const k of firstArrival) if (!outKeys.has(k)) expect(rejected.some((r) => r.startsWith("late") && r.endsWith(k))).toBe(true);
      }),
    );
  });
});
