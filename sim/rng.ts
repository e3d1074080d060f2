// A small seeded PRNG so every simulated run is reproducible from (scenario, seed) alone.
// mulberry32: 32-bit state, fast, good enough for noise and dropouts (not for cryptography).

import { mulberry32Stream } from "../dynamics/prng.js";

export interface Rng {
  /** Uniform in [0, 1). */
  next(): number;
  /** Standard normal (Box–Muller, one value per call; the pair's twin is kept for the next call). */
  normal(): number;
}

/** dynamics/prng.ts's mulberry32 (one generator in the code base), with normals for sensor noise. */
export function mulberry32(seed: number): Rng {
  let spare: number | null = null;
  const next = mulberry32Stream(seed);
  const normal = (): number => {
    if (spare !== null) {
      const s = spare;
      spare = null;
      return s;
    }
    // 1 - next() is in (0, 1], so the log is finite.
    const r = Math.sqrt(-2 * Math.log(1 - next()));
    const th = 2 * Math.PI * next();
    spare = r * Math.sin(th);
    return r * Math.cos(th);
  };
  return { next, normal };
}

/** FNV-1a of a string mixed with a seed: independent streams per channel/fault, so adding one stream never shifts another. */
export function streamSeed(seed: number, name: string): number {
  let h = (0x811c9dc5 ^ (seed >>> 0)) >>> 0;
  for (let i = 0; i < name.length; i++) {
    h ^= name.charCodeAt(i);
    h = Math.imul(h, 0x01000193) >>> 0;
  }
  return h >>> 0;
}
