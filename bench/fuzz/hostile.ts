import type { Rng } from "./rng.js";

/** Numbers that break arithmetic: non-finite, huge, tiny, negative zero, integers past 2^53. */
export const HOSTILE_NUMBERS = [NaN, Infinity, -Infinity, 0, -0, 1e308, -1e308, 1.7976931348623157e308, 5e-324, 2 ** 53 + 1, -(2 ** 63), 1e300, 1e-300, 4294967296, -1];

/** A time stamp relative to `now` (s): honest, jittered, far future/past, going back, absurd. */
export function hostileTime(rng: Rng, now: number): number {
  switch (rng.int(9)) {
    case 0:
      return rng.pick(HOSTILE_NUMBERS);
    case 1:
      return now + 3600 * (1 + rng.int(100));
    case 2:
      return now - 3600 * (1 + rng.int(100));
    case 3:
      return 1e300;
    case 4:
      return -now;
    case 5:
      return 0;
    case 6:
      return now - rng.next() * 5;
    case 7:
      return now + rng.next() * 0.2;
    default:
      return now + (rng.next() - 0.5) * 1e-3;
  }
}

/** Any JSON/msgpack-able value, some of them deep or large. */
export function hostileValue(rng: Rng, depth = 0): unknown {
  switch (rng.int(depth > 3 ? 8 : 12)) {
    case 0:
      return rng.pick(HOSTILE_NUMBERS);
    case 1:
      return rng.next() * 20 - 10;
    case 2:
      return rng.pick(["", "1.5", "NaN", "\u0000", "x".repeat(rng.int(2000)), "__proto__", "constructor"]);
    case 3:
      return rng.pick([null, true, false, undefined]);
    case 4:
      return rng.int(1 << 30) - (1 << 29);
    case 5:
      return BigInt(rng.int(1 << 30)) * 10_000_000_000n;
    case 6:
      return new Float32Array(rng.int(8)).map(() => (rng.chance(0.2) ? NaN : rng.next()));
    case 7:
      return Array.from({ length: rng.int(6) }, () => rng.pick(HOSTILE_NUMBERS));
    case 8:
      return Array.from({ length: rng.int(4) }, () => hostileValue(rng, depth + 1));
    case 9: {
      const o: Record<string, unknown> = {};
      // defineProperty: "__proto__" becomes an own key, as JSON.parse or a decoder produces it, not a prototype.
      for (let i = rng.int(5); i > 0; i--) {
        Object.defineProperty(o, rng.pick(["t", "value", "__proto__", "x", "values", "mode"]), { value: hostileValue(rng, depth + 1), enumerable: true, writable: true, configurable: true });
      }
      return o;
    }
    case 10:
      // Deep nesting (parser recursion).
      return Array.from({ length: 1 }).reduce<unknown>((acc) => {
        let v: unknown = acc;
        for (let i = 0; i < 200; i++) v = [v];
        return v;
      }, 1);
    default:
      return new Uint8Array(rng.int(64));
  }
}
