import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { UsageError } from "../../runtime/io.js";
import { parseShard, shardOf } from "../../runtime/shard.js";

describe("shardOf / parseShard", () => {
  it("round-robin: shard K/N holds the items at index i with i mod N = K−1", () => {
    const items = ["a", "b", "c", "d", "e", "f", "g"];
    expect(shardOf(items, "1/3")).toEqual(["a", "d", "g"]);
    expect(shardOf(items, "2/3")).toEqual(["b", "e"]);
    expect(shardOf(items, "3/3")).toEqual(["c", "f"]);
    expect(shardOf(items, "1/1")).toEqual(items);
    expect(shardOf(items, undefined)).toEqual(items);
    expect(shardOf(items, "5/9")).toEqual(["e"]);
    expect(shardOf(items, "9/9")).toEqual([]);
  });

  it("every item in exactly one shard, in order, shard sizes within one of each other", () => {
    fc.assert(
      fc.property(fc.array(fc.integer(), { maxLength: 60 }), fc.integer({ min: 1, max: 12 }), (xs, n) => {
        const items = xs.map((x, i) => ({ i, x }));
        const shards = Array.from({ length: n }, (_, k) => shardOf(items, `${k + 1}/${n}`));
        const all = shards.flat().sort((a, b) => a.i - b.i);
        expect(all).toEqual(items);
        for (const s of shards) for (let j = 1; j < s.length; j++) expect(s[j].i).toBeGreaterThan(s[j - 1].i);
        const sizes = shards.map((s) => s.length);
        expect(Math.max(...sizes) - Math.min(...sizes)).toBeLessThanOrEqual(1);
      }),
    );
  });

  it("bad specs are usage errors naming the value", () => {
    for (const [spec, msg] of [
      ["0/4", /K=0 must be between 1 and N=4/],
      ["5/4", /K=5 must be between 1 and N=4/],
      ["1/0", /N=0/],
      ["2", /expected K\/N/],
      ["a/b", /expected K\/N/],
      ["-1/3", /expected K\/N/],
      ["1.5/3", /expected K\/N/],
    ] as const) {
      expect(() => parseShard(spec), spec).toThrow(UsageError);
      expect(() => parseShard(spec), spec).toThrow(msg);
    }
    expect(parseShard(" 3 / 8 ")).toEqual({ k: 3, n: 8 });
  });
});
