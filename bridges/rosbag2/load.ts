import { readdir, readFile, stat } from "node:fs/promises";
import { basename, join } from "node:path";
import { loadMcapDrive } from "../mcap/load.js";
import { RosImporter } from "../ros/index.js";
import type { ImporterOptions, RosDrive, TopicSummary } from "../ros/index.js";
import type { DriveChannel, ImportIssue, RejectCounts } from "../../perception/types.js";
import { readDb3, type Db3Stats } from "./db3.js";
import { parseBagMetadata, type BagMetadata } from "./metadata.js";
import { zstdDecompressor } from "./zstd.js";

export { isRosbag2Folder } from "./detect.js";

export interface Rosbag2DriveOptions extends ImporterOptions {
  /** Drive name (default: the folder's name). */
  readonly name?: string;
}

/**
 * Reads a ROS 2 bag (`ros2 bag record` output) into a Drive: a folder whose metadata.yaml names its storage
 * (sqlite3 `.db3` or `.mcap`) and files, optionally zstd-compressed per file or per message; or a single
 * `.db3`. A folder without metadata.yaml (the recorder never finished) is read from the .db3 files it holds,
 * saying so. Several files (a split bag) make one drive.
 */
export async function loadRosbag2Drive(path: string, options: Rosbag2DriveOptions = {}): Promise<RosDrive> {
  const st = await stat(path);
  const name = options.name ?? basename(path).replace(/\.db3$/, "");
  if (!st.isDirectory()) {
    const importer = new RosImporter(options);
    await readDb3(path, await readFile(path), importer, options);
    return importer.finish({ name, path, format: "rosbag2" });
  }
  const names = (await readdir(path)).sort();
  const issues: ImportIssue[] = [];
  let meta: BagMetadata;
  if (names.includes("metadata.yaml")) {
    const where = join(path, "metadata.yaml");
    meta = parseBagMetadata(await readFile(where, "utf8"), where);
  } else {
    const db3 = names.filter((n) => /\.db3(\.zstd)?$/.test(n));
    if (db3.length === 0) throw new Error(`${path}: not a rosbag2 folder (no metadata.yaml and no .db3 file)`);
    issues.push({
      where: path,
      reason: "malformed",
      message: `${path}: no metadata.yaml (the recording was not closed, or 'ros2 bag reindex' was not run); read the ${db3.length} .db3 file(s) found`,
    });
    const zstd = db3.some((n) => n.endsWith(".zstd"));
    meta = { version: 0, storage: "sqlite3", files: db3, messageCount: 0, topics: [], compressionFormat: zstd ? "zstd" : "", compressionMode: zstd ? "FILE" : "" };
  }
  if (meta.files.length === 0) throw new Error(`${join(path, "metadata.yaml")}: relative_file_paths is empty`);
  const compressed = meta.compressionFormat !== "" && meta.compressionMode !== "" && meta.compressionMode.toUpperCase() !== "NONE";
  if (compressed && meta.compressionFormat !== "zstd") {
    throw new Error(`${join(path, "metadata.yaml")}: compression_format "${meta.compressionFormat}" is not supported (lam reads zstd)`);
  }
  const mode = compressed ? meta.compressionMode.toUpperCase() : "NONE";
  const unzstd = compressed ? await zstdDecompressor() : undefined;
  const files: string[] = [];
  for (const f of meta.files) {
    // Older recorders list names without the folder; some with it: take whichever exists.
    const candidates = [join(path, f), join(path, basename(f))];
    let found: string | undefined;
    for (const c of candidates) if (await stat(c).then((s) => s.isFile(), () => false)) found ??= c;
    if (!found) throw new Error(`${join(path, f)}: listed in metadata.yaml (relative_file_paths) but not found`);
    files.push(found);
  }
  const bytesOf = async (file: string): Promise<Uint8Array> => {
    const raw = await readFile(file);
    return mode === "FILE" && unzstd ? unzstd(raw, file) : raw;
  };

  let drive: RosDrive;
  let read = 0;
  if (meta.storage === "sqlite3") {
    const importer = new RosImporter(options);
    const total: Db3Stats = { messages: 0, definitionsFromBag: 0, definitionsBuiltIn: 0 };
    for (const f of files) {
      const s = await readDb3(f, await bytesOf(f), importer, options, mode === "MESSAGE" ? unzstd : undefined);
      total.messages += s.messages;
    }
    read = total.messages;
    drive = importer.finish({ name, path, format: "rosbag2" });
  } else if (meta.storage === "mcap") {
    if (mode !== "NONE") throw new Error(`${join(path, "metadata.yaml")}: ${mode}-mode ${meta.compressionFormat} compression of MCAP storage is not supported (MCAP compresses its own chunks)`);
    const parts: RosDrive[] = [];
    for (const f of files) parts.push(await loadMcapDrive(f, { ...options, name }));
    drive = { ...mergeDrives(parts), name, path, format: "rosbag2" };
    read = drive.topics.reduce((n, t) => n + t.messages, 0);
  } else {
    throw new Error(`${join(path, "metadata.yaml")}: storage_identifier "${meta.storage}" is not supported (lam reads sqlite3 and mcap)`);
  }
  if (meta.messageCount > 0 && read !== meta.messageCount) {
    issues.push({ where: join(path, "metadata.yaml"), reason: "malformed", message: `metadata.yaml says ${meta.messageCount} messages; the files hold ${read}` });
  }
  return issues.length ? { ...drive, issues: [...issues, ...drive.issues] } : drive;
}

/** The files of a split bag as one drive: series joined per channel in time order, counts added. */
function mergeDrives(parts: readonly RosDrive[]): RosDrive {
  if (parts.length === 1) return parts[0];
  const byName = new Map<string, DriveChannel[]>();
  for (const p of parts) for (const c of p.channels) byName.set(c.name, [...(byName.get(c.name) ?? []), c]);
  const channels: DriveChannel[] = [...byName.values()].map((cs) => {
    const pairs = cs.flatMap((c) => Array.from(c.t, (t, i) => [t, c.values[i]] as const)).sort((a, b) => a[0] - b[0]);
    return { ...cs[0], t: Float64Array.from(pairs, (p) => p[0]), values: Float64Array.from(pairs, (p) => p[1]) };
  });
  const rejected: Record<string, RejectCounts> = {};
  for (const p of parts) {
    for (const [ch, counts] of Object.entries(p.rejected)) {
      const into = (rejected[ch] ??= {});
      for (const [k, v] of Object.entries(counts) as [keyof RejectCounts, number][]) into[k] = (into[k] ?? 0) + v;
    }
  }
  const topics = new Map<string, TopicSummary>();
  for (const p of parts) {
    for (const t of p.topics) {
      const before = topics.get(t.topic);
      topics.set(t.topic, before ? { ...before, messages: before.messages + t.messages, malformed: before.malformed + t.malformed } : t);
    }
  }
  return {
    ...parts[0],
    channels: channels.sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0)),
    rejected,
    issues: parts.flatMap((p) => p.issues),
    topics: [...topics.values()],
  };
}
