// Reading one recording in every format lam reads it from, in the same run: the Husky ROS 2 MCAP (ROS importer),
// the same messages in a rosbag2 SQLite .db3 folder (sql.js), the ROS 1 bag, and lam's canonical MCAP and CSV
// (lam convert). Prints a table of best-of-N load times and ratios to the MCAP; never passes or fails on time.
// Run: npx tsx bench/drive-formats.ts [runs]
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { open } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { pathToFileURL } from "node:url";
import { McapIndexedReader } from "@mcap/core";
import { loadDecompressHandlers } from "@mcap/support";
import { writeCanonicalMcap } from "../bridges/canonical/index.js";
import { writeCsvDrive } from "../bridges/csv/write.js";
import { loadDrive } from "../bridges/drive.js";
import { FileReadable } from "../bridges/mcap/file-readable.js";
import { sqlite } from "../bridges/rosbag2/index.js";
import { defaultDataDir } from "./perception.js";

/** The recording's topics and CDR messages written as a rosbag2 folder (metadata.yaml + one .db3). */
async function writeBag(mcap: string, dir: string): Promise<void> {
  const h = await open(mcap, "r");
  const SQL = await sqlite();
  const db = new SQL.Database();
  try {
    const r = await McapIndexedReader.Initialize({ readable: new FileReadable(h, (await h.stat()).size), decompressHandlers: await loadDecompressHandlers() });
    db.run("CREATE TABLE topics(id INTEGER PRIMARY KEY, name TEXT NOT NULL, type TEXT NOT NULL, serialization_format TEXT NOT NULL, offered_qos_profiles TEXT NOT NULL)");
    db.run("CREATE TABLE message_definitions(id INTEGER PRIMARY KEY, topic_type TEXT NOT NULL, encoding TEXT NOT NULL, encoded_message_definition TEXT NOT NULL, type_description_hash TEXT NOT NULL)");
    db.run("CREATE TABLE messages(id INTEGER PRIMARY KEY, topic_id INTEGER NOT NULL, timestamp INTEGER NOT NULL, data BLOB NOT NULL)");
    for (const c of r.channelsById.values()) {
      const s = r.schemasById.get(c.schemaId)!;
      db.run("INSERT INTO topics VALUES (?, ?, ?, 'cdr', '')", [c.id, c.topic, s.name]);
      db.run("INSERT INTO message_definitions (topic_type, encoding, encoded_message_definition, type_description_hash) VALUES (?, 'ros2msg', ?, '')", [s.name, new TextDecoder().decode(s.data)]);
    }
    db.run("BEGIN");
    const stmt = db.prepare("INSERT INTO messages (topic_id, timestamp, data) VALUES (?, CAST(? AS INTEGER), ?)");
    let n = 0;
    for await (const m of r.readMessages()) {
      stmt.bind([m.channelId, m.logTime.toString(), m.data]);
      stmt.step();
      n++;
    }
    stmt.free();
    db.run("COMMIT");
    mkdirSync(dir, { recursive: true });
    writeFileSync(path.join(dir, "bag_0.db3"), db.export());
    writeFileSync(
      path.join(dir, "metadata.yaml"),
      `rosbag2_bagfile_information:\n  version: 5\n  storage_identifier: sqlite3\n  message_count: ${n}\n  relative_file_paths:\n    - bag_0.db3\n`,
    );
  } finally {
    db.close();
    await h.close();
  }
}

export interface FormatRow {
  readonly format: string;
  readonly samples: number;
  readonly best_ms: number;
  readonly ratio_to_mcap: number;
}

export async function benchDriveFormats(runs = 3, dataDir = defaultDataDir()): Promise<FormatRow[]> {
  const mcap = path.join(dataDir, "husky/test1_ros2.mcap");
  const tmp = mkdtempSync(path.join(tmpdir(), "lam-bench-formats-"));
  try {
    const bag = path.join(tmp, "husky_bag");
    await writeBag(mcap, bag);
    const drive = await loadDrive(mcap);
    await writeCanonicalMcap(drive, path.join(tmp, "husky.mcap"));
    await writeCsvDrive(drive, path.join(tmp, "husky.csv"));
    const inputs: [string, string][] = [
      ["ROS 2 MCAP (ROS importer)", mcap],
      ["rosbag2 folder, SQLite .db3 (sql.js)", bag],
      ["ROS 1 bag (bz2 chunks)", path.join(dataDir, "husky/test1.bag")],
      ["canonical MCAP (lam convert)", path.join(tmp, "husky.mcap")],
      ["canonical CSV (lam convert)", path.join(tmp, "husky.csv")],
    ];
    const best = new Map<string, { ms: number; samples: number }>();
    // Interleaved rounds, so every format sees the same machine load.
    for (let r = 0; r < runs; r++) {
      for (const [name, p] of inputs) {
        const t0 = performance.now();
        const d = await loadDrive(p);
        const ms = performance.now() - t0;
        const samples = d.channels.reduce((n, c) => n + c.t.length, 0);
        const b = best.get(name);
        if (!b || ms < b.ms) best.set(name, { ms, samples });
      }
    }
    const base = best.get(inputs[0][0])!.ms;
    return inputs.map(([name]) => {
      const b = best.get(name)!;
      return { format: name, samples: b.samples, best_ms: Math.round(b.ms), ratio_to_mcap: Math.round((b.ms / base) * 100) / 100 };
    });
  } finally {
    rmSync(tmp, { recursive: true, force: true });
  }
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? "").href) {
  const runs = Number(process.argv[2] ?? 3);
  const rows = await benchDriveFormats(runs);
  console.log(`Husky recording (395 s), loadDrive, best of ${runs}`);
  console.log(["format".padEnd(40), "samples".padStart(8), "ms".padStart(7), "× MCAP".padStart(8)].join(" "));
  for (const r of rows) console.log([r.format.padEnd(40), String(r.samples).padStart(8), String(r.best_ms).padStart(7), r.ratio_to_mcap.toFixed(2).padStart(8)].join(" "));
}
