import { channelInfo, isKnownChannel } from "../../perception/channels.js";
import { parseCell } from "./cell.js";
import { asArray, type FileMap, type Transform } from "./column-map.js";
import type { DriveBuilder, SeriesBuilder } from "./drive-builder.js";
import type { CsvRecord } from "./parser.js";
import { UNIT_TRANSFORMS, quaternionYaw, wrapAngle } from "./transforms.js";

type Convert = (x: number) => number;

/** One output channel of a file: the columns it reads and how their numbers become its value. */
interface Output {
  readonly series: SeriesBuilder;
  readonly columns: readonly number[];
  readonly names: readonly string[];
  readonly compute: (xs: readonly number[]) => number;
  readonly min: number;
  readonly max: number;
}

interface Plan {
  readonly width: number;
  readonly time: (fields: readonly string[]) => { t: number } | { bad: string };
  readonly outputs: readonly Output[];
  /** Header columns named like channels but unknown to the registry (canonicalColumns maps only). */
  readonly unknown: readonly string[];
}

/**
 * Read one CSV file of a drive into `drive` under `fileMap`. Header problems (empty file, header only, a
 * mapped or time column missing) throw, naming the file. Row problems are counted and skipped: a row
 * with the wrong number of fields, an unreadable time, or a time before the previous row's loses the
 * whole row; an unreadable, infinite or out-of-range cell loses that channel's sample only. Empty and
 * NaN cells are "no value yet" (comma2k19 signals before their first CAN frame): skipped, not counted.
 */
export async function importCsvFile(
  file: string,
  batches: AsyncIterable<readonly CsvRecord[]>,
  fileMap: FileMap,
  mapName: string,
  fileKey: string,
  drive: DriveBuilder,
): Promise<void> {
  let plan: Plan | undefined;
  let rows = 0;
  let lastT = Number.NEGATIVE_INFINITY;
  let lastLine = 0;
  const scratch: number[] = [];

  for await (const batch of batches) {
    for (const rec of batch) {
      if (plan === undefined) {
        if (rec.kind === "bad") throw new Error(`${file}:${rec.line}: header: ${rec.message}`);
        plan = compile(file, rec.fields, fileMap, mapName, fileKey, drive);
        for (const name of plan.unknown) {
          drive.issue(
            { where: `${file}:${rec.line}`, reason: "unknown_channel", message: `${file}:${rec.line}: column "${name}" is not a known channel; skipped`, channel: name },
            file,
          );
        }
        continue;
      }
      rows++;
      if (rec.kind === "bad") {
        rejectRow(plan, drive, file, rec.line, `${file}:${rec.line}: ${rec.message}`, "malformed");
        continue;
      }
      const f = rec.fields;
      if (f.length !== plan.width) {
        rejectRow(plan, drive, file, rec.line, `${file}:${rec.line}: expected ${plan.width} fields as in the header, found ${f.length}`, "malformed");
        continue;
      }
      const time = plan.time(f);
      if ("bad" in time) {
        rejectRow(plan, drive, file, rec.line, `${file}:${rec.line}: ${time.bad}`, "malformed");
        continue;
      }
      const t = time.t;
      if (t < lastT) {
        rejectRow(plan, drive, file, rec.line, `${file}:${rec.line}: time ${t} s is before ${lastT} s at line ${lastLine}; row dropped`, "late");
        continue;
      }
      lastT = t;
      lastLine = rec.line;
      for (const unknown of plan.unknown) drive.count(unknown, "unknown_channel");
      for (const out of plan.outputs) emit(out, f, t, rec.line, file, drive, scratch);
    }
  }
  if (plan === undefined) throw new Error(`${file}: empty file (no header line)`);
  if (rows === 0) throw new Error(`${file}: no data rows after the header`);
}

function emit(out: Output, f: readonly string[], t: number, line: number, file: string, drive: DriveBuilder, xs: number[]): void {
  xs.length = 0;
  for (let k = 0; k < out.columns.length; k++) {
    const text = f[out.columns[k]];
    const x = parseCell(text);
    const name = out.series.name;
    if (x === undefined) {
      drive.reject(name, "malformed", file, line, `${file}:${line}: column "${out.names[k]}" = ${JSON.stringify(text)} is not a number (${name})`);
      return;
    }
    if (Number.isNaN(x)) return; // no value in this row for this channel
    if (!Number.isFinite(x)) {
      drive.reject(name, "nonfinite", file, line, `${file}:${line}: column "${out.names[k]}" = ${JSON.stringify(text)} is not finite (${name})`);
      return;
    }
    xs.push(x);
  }
  const v = out.compute(xs);
  const name = out.series.name;
  if (!Number.isFinite(v)) {
    drive.reject(name, "malformed", file, line, `${file}:${line}: ${out.names.join(",")} = ${xs.join(",")} gives no ${name}`);
  } else if (v < out.min || v > out.max) {
    const unit = channelInfo(name).unit;
    drive.reject(
      name,
      "out_of_range",
      file,
      line,
      `${file}:${line}: ${name} = ${v} ${unit} (column "${out.names.join(",")}" = ${xs.join(",")}) outside [${out.min}, ${out.max}]`,
    );
  } else {
    out.series.push(t, v);
  }
}

function rejectRow(plan: Plan, drive: DriveBuilder, file: string, line: number, message: string, reason: "malformed" | "late"): void {
  if (plan.outputs.length === 0) {
    drive.count(file, reason);
    drive.issue({ where: `${file}:${line}`, reason, message }, file);
    return;
  }
  for (const out of plan.outputs) drive.reject(out.series.name, reason, file, line, message);
}

function compile(file: string, header: string[], fm: FileMap, mapName: string, fileKey: string, drive: DriveBuilder): Plan {
  const index = new Map<string, number>();
  const dup = new Set<string>();
  header.forEach((h, i) => {
    const name = h.trim();
    if (index.has(name)) dup.add(name);
    else index.set(name, i);
  });
  const used = new Set<string>();
  const col = (name: string, key: string): number => {
    if (dup.has(name)) throw new Error(`${file}: column "${name}" (${fileKey}${key}) appears more than once in the header`);
    const i = index.get(name);
    if (i === undefined) {
      const what = key.startsWith(".time") ? "no time column" : "unknown column";
      throw new Error(
        `${file}: ${what} "${name}" in the header (column map "${mapName}", ${fileKey}${key}); the header has: ${header.map((h) => JSON.stringify(h)).join(", ")}`,
      );
    }
    used.add(name);
    return i;
  };

  let time: Plan["time"];
  const ts = fm.time;
  if ("column" in ts) {
    const i = col(ts.column, ".time.column");
    const scale = ts.scale ?? 1;
    const offset = ts.offset ?? 0;
    time = (f) => {
      const x = parseCell(f[i]);
      return x !== undefined && Number.isFinite(x) ? { t: x * scale + offset } : { bad: `time column "${ts.column}" = ${JSON.stringify(f[i])} is not a time` };
    };
  } else {
    const is = col(ts.s, ".time.s");
    const ins = col(ts.ns, ".time.ns");
    const offset = ts.offset ?? 0;
    time = (f) => {
      const s = parseCell(f[is]);
      const ns = parseCell(f[ins]);
      if (s === undefined || !Number.isFinite(s)) return { bad: `time column "${ts.s}" = ${JSON.stringify(f[is])} is not a time` };
      if (ns === undefined || !Number.isFinite(ns)) return { bad: `time column "${ts.ns}" = ${JSON.stringify(f[ins])} is not a time` };
      return { t: s + ns * 1e-9 + offset };
    };
  }

  const outputs: Output[] = [];
  const add = (channel: string, source: string, columns: number[], names: string[], compute: Output["compute"]) => {
    const info = channelInfo(channel);
    outputs.push({ series: drive.channel(channel, `${file}:${source}`), columns, names, compute, min: info.min, max: info.max });
  };
  for (const [name, targets] of Object.entries(fm.columns ?? {})) {
    const i = col(name, `.columns.${name}`);
    for (const target of asArray(targets)) {
      const convert = chain(target.channel, asArray(target.transform));
      add(target.channel, name, [i], [name], (xs) => convert(xs[0]));
    }
  }
  (fm.derived ?? []).forEach((d, j) => {
    const names = [d.columns.x, d.columns.y, d.columns.z, d.columns.w];
    const cols = names.map((n) => col(n, `.derived[${j}].columns`));
    const convert = chain(d.channel, asArray(d.transform));
    add(d.channel, `quaternion(${names.join(",")})`, cols, names, (xs) => convert(quaternionYaw(xs[0], xs[1], xs[2], xs[3])));
  });
  const unknown: string[] = [];
  if (fm.canonicalColumns) {
    header.forEach((h, i) => {
      const name = h.trim();
      if (used.has(name) || name === "" || dup.has(name)) return; // "" = an unnamed index column
      if (isKnownChannel(name) && !name.endsWith("@")) {
        const convert = chain(name, []);
        add(name, name, [i], [name], (xs) => convert(xs[0]));
      } else unknown.push(name);
    });
  }
  return { width: header.length, time, outputs, unknown };
}

/** The transforms in order; a heading is wrapped to [-π, π] at the end whatever came before. */
function chain(channel: string, steps: readonly Transform[]): Convert {
  const fns: Convert[] = steps.map((s) => {
    if (typeof s === "string") return UNIT_TRANSFORMS[s];
    const scale = s.scale ?? 1;
    const offset = s.offset ?? 0;
    return (x: number) => x * scale + offset;
  });
  if (channelInfo(channel).name === "heading") fns.push(wrapAngle);
  if (fns.length === 0) return (x) => x;
  if (fns.length === 1) return fns[0];
  return (x) => {
    for (const fn of fns) x = fn(x);
    return x;
  };
}
