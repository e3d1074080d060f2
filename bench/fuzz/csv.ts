// Ingress: CSV rows. Files of the generic layout (t + canonical channel columns) whose rows are mostly honest
// and often hostile: non-finite and absurd numbers, text, empty and extra cells, quotes and stray line breaks,
// time going back or leaping (t = 1e308), a broken or repeated header now and then; loaded by loadCsvDrive as
// `lam inspect/replay` do. A file refused with an Error naming it is a rejection of all its rows ("file");
// cell problems are counted by the importer's own reasons; a TypeError/RangeError or a non-finite value kept in
// a channel is a crash/non-finite.
import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { loadCsvDrive } from "../../bridges/csv/index.js";
import { HOSTILE_NUMBERS } from "./hostile.js";
import type { Rng } from "./rng.js";
import { Tally, type IngressReport } from "./tally.js";

const COLUMNS = ["speed", "yaw_rate", "accel", "steer_cmd", "speed_cmd"];
const ROWS_PER_FILE = 200;
const CELLS = ["", "nan", "NaN", "inf", "-inf", "1e400", "0x1f", "1,5", '"2"', '"a""b"', "abc", " 3 ", "+", "-", ".", "1e", "true", "\u0000", "9".repeat(400), "'1'"];

function cell(rng: Rng): string {
  return rng.chance(0.5) ? rng.pick(CELLS) : String(rng.pick(HOSTILE_NUMBERS));
}

function file(rng: Rng): string {
  const header = rng.chance(0.03) ? rng.pick(["", "t,t,speed", "time,speed", "\ufefft,speed,yaw_rate", "t;speed", '"t","speed"', "t,speed@x,nope"]) : ["t", ...COLUMNS].join(",");
  const lines = [header];
  let t = rng.chance(0.5) ? 0 : 1_650_000_000;
  for (let i = 0; i < ROWS_PER_FILE; i++) {
    t += 0.01 + (rng.chance(0.05) ? (rng.next() - 0.7) * 2 : 0);
    const row = [rng.chance(0.03) ? cell(rng) : rng.chance(0.002) ? String(rng.pick([1e308, 1e15, -1e15, 1_700_000_000])) : t.toFixed(4)];
    for (let c = 0; c < COLUMNS.length; c++) row.push(rng.chance(0.08) ? cell(rng) : (rng.next() * 4 - 2).toFixed(3));
    if (rng.chance(0.02)) row.push(cell(rng));
    if (rng.chance(0.02)) row.pop();
    let line = row.join(rng.chance(0.005) ? ";" : ",");
    if (rng.chance(0.003)) line = '"' + line;
    if (rng.chance(0.003)) line += "\r";
    lines.push(line);
  }
  return lines.join("\n") + (rng.chance(0.9) ? "\n" : "");
}

export async function fuzzCsv(rng: Rng, inputs: number): Promise<IngressReport> {
  const tally = new Tally("CSV rows");
  const dir = await mkdtemp(join(tmpdir(), "lam-fuzz-csv-"));
  const path = join(dir, "fuzz.csv");
  try {
    for (let done = 0; done < inputs; done += ROWS_PER_FILE) {
      const text = file(rng);
      await writeFile(path, text);
      tally.inputs += ROWS_PER_FILE;
      try {
        const d = await loadCsvDrive(path, { map: "generic" });
        tally.accepted += ROWS_PER_FILE;
        for (const counts of Object.values(d.rejected)) for (const [k, n] of Object.entries(counts)) if (n) tally.rejected[k] = (tally.rejected[k] ?? 0) + n;
        for (const c of d.channels) {
          let bad = 0;
          for (let i = 0; i < c.t.length; i++) if (!Number.isFinite(c.t[i]) || !Number.isFinite(c.values[i])) bad++;
          if (bad) {
            tally.nonfinite += bad;
            if (tally.examples.length < 5) tally.examples.push(`channel ${c.name} kept ${bad} non-finite samples ← ${text.slice(0, 300)}`);
          }
        }
      } catch (e) {
        if (e instanceof Error && e.constructor === Error) tally.rejected.file = (tally.rejected.file ?? 0) + ROWS_PER_FILE;
        else tally.crash(e, text);
      }
    }
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
  return tally.report(`loadCsvDrive (generic map) over ${Math.ceil(inputs / ROWS_PER_FILE)} files of ${ROWS_PER_FILE} rows; cell rejections by the importer's reasons, "file" = rows of files refused whole`);
}
