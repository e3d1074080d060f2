/** A small seeded PRNG (mulberry32): the same seed gives the same stream on every platform. */
export interface Prng {
  /** Uniform in [0, 1). */
  next(): number;
  /** Uniform integer in [lo, hi] inclusive. */
  int(lo: number, hi: number): number;
}

/** The one mulberry32 of the code base (training's shuffles, the simulator's noise and faults): uniform in [0, 1). */
export function mulberry32Stream(seed: number): () => number {
  let s = seed >>> 0;
  return () => {
    s = (s + 0x6d2b79f5) >>> 0;
    let t = s;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

export function prng(seed: number): Prng {
  const next = mulberry32Stream(seed);
  return { next, int: (lo, hi) => lo + Math.floor(next() * (hi - lo + 1)) };
}

/** Fisher–Yates shuffle in place, driven by `rng`. */
export function shuffle<T>(a: T[] | Int32Array, rng: Prng): void {
  for (let i = a.length - 1; i > 0; i--) {
    const j = Math.floor(rng.next() * (i + 1));
    const t = a[i];
    a[i] = a[j];
    a[j] = t;
  }
}
