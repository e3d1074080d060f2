import { readdir, stat, writeFile } from "node:fs/promises";
import { basename, join } from "node:path";
import { parseArgs } from "node:util";
import { loadCsvDrive } from "../../bridges/csv/load.js";
import { parseColumnMap } from "../../bridges/csv/column-map.js";
import { DEFAULT_STEER_RATIO, proposeColumnMap, type CsvSample } from "../../bridges/csv/propose.js";
import { readCsvFile } from "../../bridges/csv/read.js";
import { UsageError, type CliIO } from "../io.js";

const HELP = `usage: lam map init <file.csv | folder> [--out map.json] [--steer-ratio N] [--force] [--no-check]

Proposes a column map (README: "Column maps") from the CSV header(s) and first rows, for you to check
and edit: time column and unit (s, ms, us, ns, epoch, or ROS s + ns), common names and units (speed in
mph / km/h / m/s, steering-wheel angle in deg, accelerations in g or m/s², pedals in %, gyro in deg/s
or rad/s, GNSS, heading, quaternions). Every column's decision is printed on stderr; columns it does not
recognise are listed as not mapped. A folder gives one map entry per .csv file.

  --out FILE        write the map there (default: print it on stdout)
  --steer-ratio N   steering-wheel ÷ road-wheel angle for steering-wheel columns (default ${DEFAULT_STEER_RATIO})
  --force           overwrite --out if it exists
  --no-check        do not load the drive with the proposed map (the check prints samples and
                    out-of-range rejections per channel: a wrong unit or sign shows there)

Then: lam inspect <drive> --map map.json; lam train <drive> --map map.json --out DIR ...
`;

/** Rows read per file to tell units from magnitudes. */
const SAMPLE_ROWS = 2000;

async function sample(path: string): Promise<CsvSample> {
  let header: string[] | undefined;
  const rows: string[][] = [];
  for await (const batch of readCsvFile(path)) {
    for (const rec of batch) {
      if (header === undefined) {
        if (rec.kind === "bad") throw new Error(`${path}:${rec.line}: header: ${rec.message}`);
        header = rec.fields;
      } else if (rec.kind === "row") rows.push(rec.fields);
      if (rows.length >= SAMPLE_ROWS) break;
    }
    if (rows.length >= SAMPLE_ROWS) break;
  }
  if (header === undefined) throw new Error(`${path}: empty file (no header line)`);
  return { file: basename(path), header, rows };
}

export default async function map(argv: string[], io: CliIO): Promise<number> {
  const { values, positionals } = parseArgs({
    args: argv,
    allowPositionals: true,
    options: {
      out: { type: "string" },
      "steer-ratio": { type: "string" },
      force: { type: "boolean" },
      "no-check": { type: "boolean" },
      help: { type: "boolean", short: "h" },
    },
  });
  if (values.help) {
    io.stdout.write(HELP);
    return 0;
  }
  const [sub, path, ...extra] = positionals;
  if (sub !== "init") throw new UsageError(`${sub === undefined ? "give a subcommand" : `unknown subcommand "${sub}"`}\n${HELP}`);
  if (path === undefined || extra.length > 0) throw new UsageError(`expected one CSV file or folder\n${HELP}`);
  const ratio = values["steer-ratio"] === undefined ? DEFAULT_STEER_RATIO : Number(values["steer-ratio"]);
  if (!(ratio > 0 && Number.isFinite(ratio))) throw new UsageError(`--steer-ratio ${values["steer-ratio"]}: expected a positive number`);
  if (values.out && !values.force && (await stat(values.out).then(() => true, () => false))) {
    throw new UsageError(`--out ${values.out} exists; --force to overwrite`);
  }

  let st;
  try {
    st = await stat(path);
  } catch (e) {
    throw new Error(`${path}: cannot read (${(e as NodeJS.ErrnoException).code ?? String(e)})`);
  }
  const files = st.isDirectory() ? (await readdir(path)).filter((n) => n.toLowerCase().endsWith(".csv")).sort().map((n) => join(path, n)) : [path];
  if (files.length === 0) throw new Error(`${path}: no .csv file in the folder`);
  const samples: CsvSample[] = [];
  for (const f of files) samples.push(await sample(f));
  const { map: proposed, notes } = proposeColumnMap(samples, {
    steerRatio: ratio,
    nameFiles: st.isDirectory(),
    name: st.isDirectory() ? basename(path) : undefined,
  });
  // What it proposes must be a map lam reads: the same validator as --map FILE.
  const checked = parseColumnMap(JSON.parse(JSON.stringify(proposed)));

  const width = Math.min(40, Math.max(...notes.map((n) => n.column.length)));
  let lastFile = "";
  for (const n of notes) {
    if (n.file !== lastFile && samples.length > 1) io.stderr.write(`${n.file}:\n`);
    lastFile = n.file;
    const to = n.channels.length ? `→ ${n.channels.join(", ")}` : "";
    io.stderr.write(`  ${n.column.padEnd(width)} ${to ? `${to}: ` : ""}${n.note}\n`);
  }
  const text = JSON.stringify(checked, null, 2) + "\n";
  if (values.out) {
    await writeFile(values.out, text);
    io.stderr.write(`lam map: wrote ${values.out}\n`);
  } else io.stdout.write(text);

  if (!values["no-check"]) {
    const drive = await loadCsvDrive(path, { map: checked });
    io.stderr.write(`\ncheck: ${path} with this map: ${drive.channels.length} channels\n`);
    for (const c of drive.channels) {
      let lo = Infinity;
      let hi = -Infinity;
      for (const v of c.values) {
        if (v < lo) lo = v;
        if (v > hi) hi = v;
      }
      const rej = Object.entries(drive.rejected[c.name] ?? {}).map(([k, v]) => `${k}=${v}`).join(" ");
      io.stderr.write(`  ${c.name.padEnd(24)} ${String(c.t.length).padStart(8)} samples  ${fmt(lo)} .. ${fmt(hi)} ${c.unit}${rej ? `  rejected ${rej}` : ""}\n`);
    }
    for (const [name, counts] of Object.entries(drive.rejected)) {
      if (drive.channels.some((c) => c.name === name)) continue;
      io.stderr.write(`  ${name.padEnd(24)} no usable sample: rejected ${Object.entries(counts).map(([k, v]) => `${k}=${v}`).join(" ")}\n`);
    }
  }
  return 0;
}

function fmt(x: number): string {
  if (!Number.isFinite(x)) return "-";
  const a = Math.abs(x);
  return a !== 0 && (a >= 1e5 || a < 1e-3) ? x.toExponential(2) : x.toFixed(3);
}
