import { UsageError } from "./io.js";

/** Shard K of N (1-based K), as `--shard K/N` gives it. */
export interface Shard {
  readonly k: number;
  readonly n: number;
}

/** Parses "K/N" (1 <= K <= N); a bad value is a usage error naming it. */
export function parseShard(spec: string): Shard {
  const m = /^\s*(\d+)\s*\/\s*(\d+)\s*$/.exec(spec);
  if (!m) throw new UsageError(`--shard ${JSON.stringify(spec)}: expected K/N, e.g. 2/8`);
  const k = Number(m[1]);
  const n = Number(m[2]);
  if (!(n >= 1 && n <= 1_000_000)) throw new UsageError(`--shard ${spec}: N=${n} must be between 1 and 1000000`);
  if (!(k >= 1 && k <= n)) throw new UsageError(`--shard ${spec}: K=${k} must be between 1 and N=${n} (K is 1-based)`);
  return { k, n };
}

/**
 * The items of shard K/N: those at index i with i mod N = K − 1. Round-robin rather than contiguous blocks, so
 * a catalog ordered by kind (all highway scenarios, then all urban ones) still spreads evenly; every item lands
 * in exactly one shard, and the split depends only on the list's order. `undefined` gives every item.
 */
export function shardOf<T>(items: readonly T[], spec: string | Shard | undefined): T[] {
  if (spec === undefined) return [...items];
  const { k, n } = typeof spec === "string" ? parseShard(spec) : spec;
  return items.filter((_, i) => i % n === k - 1);
}
