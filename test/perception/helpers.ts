import type { Drive, DriveChannel, Frame } from "../../perception/index.js";

/** A drive built in memory from [t, value] pairs per channel. */
export function makeDrive(channels: Record<string, ReadonlyArray<readonly [number, number]>>): Drive {
  const list: DriveChannel[] = Object.entries(channels).map(([name, rows]) => ({
    name,
    unit: "",
    t: Float64Array.from(rows, (r) => r[0]),
    values: Float64Array.from(rows, (r) => r[1]),
    source: `test:${name}`,
  }));
  return { name: "test", path: "memory", format: "csv", channels: list, rejected: {}, issues: [] };
}

/** Frames as plain arrays, so equality failures print readably and NaN compares equal. */
export function plain(frames: readonly Frame[]): Array<{ t: number; values: number[]; valid: number[] }> {
  return frames.map((f) => ({ t: f.t, values: Array.from(f.values), valid: Array.from(f.valid) }));
}

/** Every value whose validity is Fresh or Held is finite; every Missing one is NaN. */
export function checkFrames(frames: readonly Frame[]): string | undefined {
  for (const f of frames) {
    for (let c = 0; c < f.values.length; c++) {
      const ok = f.valid[c] === 0 ? Number.isNaN(f.values[c]) : Number.isFinite(f.values[c]);
      if (!ok) return `t=${f.t} channel ${c}: valid=${f.valid[c]} value=${f.values[c]}`;
    }
  }
  return undefined;
}
