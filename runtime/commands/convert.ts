import { stat } from "node:fs/promises";
import { parseArgs } from "node:util";
import { writeCanonicalMcap } from "../../bridges/canonical/index.js";
import { writeCsvDrive } from "../../bridges/csv/write.js";
import { loadDrive } from "../../bridges/drive.js";
import { UsageError, type CliIO } from "../io.js";

const HELP = `usage: lam convert <drive> --out FILE.mcap|FILE.csv [--map NAME|FILE] [--force] [--json]

Writes a drive (any format lam reads: CSV with a column map, ROS 2 MCAP, rosbag2 folder, ROS 1 bag) in
lam's canonical form: canonical channel names, SI units, the samples the importer kept.

  FILE.csv   one wide CSV: t + one column per channel (the built-in "generic" map reads it)
  FILE.mcap  one JSON topic per channel, /lam/in/<channel>, messages lam.Sample { t, value }
             (lam reads it back; Foxglove and the mcap CLI open it)

lam inspect on the output shows the same channels and sample counts as on the input.

  --out FILE        output file; its extension picks the format
  --map NAME|FILE   CSV column map for CSV drives (default: detected)
  --force           overwrite --out if it exists
  --json            print { drive, out, format, channels: { name: samples } } on stdout
`;

export default async function convert(argv: string[], io: CliIO): Promise<number> {
  const { values, positionals } = parseArgs({
    args: argv,
    allowPositionals: true,
    options: {
      out: { type: "string" },
      map: { type: "string" },
      force: { type: "boolean" },
      json: { type: "boolean" },
      help: { type: "boolean", short: "h" },
    },
  });
  if (values.help) {
    io.stdout.write(HELP);
    return 0;
  }
  if (positionals.length !== 1) throw new UsageError(`expected one drive (got ${positionals.length})\n${HELP}`);
  if (!values.out) throw new UsageError(`--out FILE.mcap|FILE.csv is required\n${HELP}`);
  const out = values.out;
  const format = /\.mcap$/i.test(out) ? "mcap" : /\.csv$/i.test(out) ? "csv" : undefined;
  if (!format) throw new UsageError(`--out ${out}: the name must end in .mcap or .csv (it picks the format)`);
  if (!values.force && (await stat(out).then(() => true, () => false))) throw new UsageError(`--out ${out} exists; --force to overwrite`);

  const path = positionals[0];
  const drive = await loadDrive(path, values.map ? { map: values.map } : {});
  if (drive.channels.length === 0) throw new Error(`${path}: no channel to convert (lam inspect ${path} says why)`);
  if (format === "csv") await writeCsvDrive(drive, out);
  else await writeCanonicalMcap(drive, out);

  const counts = Object.fromEntries(drive.channels.map((c) => [c.name, c.t.length]));
  const samples = drive.channels.reduce((n, c) => n + c.t.length, 0);
  if (values.json) io.stdout.write(JSON.stringify({ drive: path, out, format, channels: counts }) + "\n");
  else io.stdout.write(`${path} → ${out} (${format}): ${drive.channels.length} channels, ${samples} samples\n`);
  const dropped = Object.values(drive.rejected).reduce((n, r) => n + Object.values(r).reduce((a, b) => a + (b ?? 0), 0), 0);
  if (dropped > 0) io.stderr.write(`lam convert: ${dropped} samples the importer rejected are not in ${out} (lam inspect ${path} lists them)\n`);
  return 0;
}
