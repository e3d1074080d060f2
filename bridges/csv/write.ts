import { createWriteStream } from "node:fs";
import { once } from "node:events";
import type { Drive } from "../../perception/types.js";

/**
 * Write a drive as one wide CSV: `t` then one column per channel, a row per distinct time stamp, a cell
 * empty where that channel has no sample at that time. Numbers are written in JavaScript's shortest
 * round-trip form, so the `generic` map reads back exactly the same Float64 values. Same drive → same bytes.
 */
export async function writeCsvDrive(drive: Pick<Drive, "channels">, path: string): Promise<void> {
  const chans = drive.channels;
  const out = createWriteStream(path, { encoding: "utf8" });
  const failed = new Promise<never>((_, reject) => out.once("error", reject));
  failed.catch(() => undefined); // surfaced by the awaits below
  const write = async (s: string) => {
    if (!out.write(s)) await Promise.race([once(out, "drain"), failed]);
  };
  await write(["t", ...chans.map((c) => c.name)].map(quote).join(",") + "\n");

  const cursor = new Int32Array(chans.length);
  const cells: string[] = new Array(chans.length + 1);
  let buffer = "";
  for (;;) {
    // The next time stamp is the smallest one any channel has left (a k-way merge of sorted series).
    let t = Number.POSITIVE_INFINITY;
    for (let k = 0; k < chans.length; k++) {
      const c = chans[k];
      if (cursor[k] < c.t.length && c.t[cursor[k]] < t) t = c.t[cursor[k]];
    }
    if (t === Number.POSITIVE_INFINITY) break;
    cells[0] = Object.is(t, -0) ? "-0" : String(t);
    for (let k = 0; k < chans.length; k++) {
      const c = chans[k];
      const i = cursor[k];
      // One sample per channel per row: a channel with two samples at one time gets a second row.
      if (i < c.t.length && c.t[i] === t) {
        const v = c.values[i];
        cells[k + 1] = Number.isFinite(v) ? (Object.is(v, -0) ? "-0" : String(v)) : "";
        cursor[k] = i + 1;
      } else cells[k + 1] = "";
    }
    buffer += cells.join(",") + "\n";
    if (buffer.length > 1 << 16) {
      await write(buffer);
      buffer = "";
    }
  }
  if (buffer) await write(buffer);
  out.end();
  await Promise.race([once(out, "finish"), failed]);
}

/** RFC 4180 quoting, only where a name needs it. */
function quote(s: string): string {
  return /[",\r\n]/.test(s) ? `"${s.replace(/"/g, '""')}"` : s;
}
