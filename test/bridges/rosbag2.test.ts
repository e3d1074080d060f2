import { copyFileSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { open } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { parse } from "@foxglove/rosmsg";
import { MessageReader, MessageWriter } from "@foxglove/rosmsg2-serialization";
import * as zstd from "@foxglove/wasm-zstd";
import { McapIndexedReader } from "@mcap/core";
import { loadDecompressHandlers } from "@mcap/support";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { detectDriveFormat, loadDrive } from "../../bridges/drive.js";
import { FileReadable } from "../../bridges/mcap/file-readable.js";
import { ros2Definition } from "../../bridges/ros/definitions.js";
import { frameContentSize, loadRosbag2Drive, parseBagMetadata, sqlite } from "../../bridges/rosbag2/index.js";
import type { Drive } from "../../perception/types.js";
import { main } from "../../runtime/main.js";

const HUSKY = resolve(__dirname, "../../../shared/data/husky/test1_ros2.mcap");

async function lam(...argv: string[]) {
  const out: string[] = [];
  const err: string[] = [];
  const code = await main(argv, { stdout: { write: (s: string) => out.push(s) }, stderr: { write: (s: string) => err.push(s) } });
  return { code, out: out.join(""), err: err.join("") };
}

interface BagTopic {
  readonly id: number;
  readonly name: string;
  readonly type: string;
  readonly definition: string;
}
interface BagMessage {
  readonly topic: number;
  readonly ns: bigint;
  readonly data: Uint8Array;
}

/** The Husky recording's topics and raw CDR messages, as the MCAP holds them. */
async function huskyMessages(): Promise<{ topics: BagTopic[]; messages: BagMessage[] }> {
  const h = await open(HUSKY, "r");
  try {
    const r = await McapIndexedReader.Initialize({ readable: new FileReadable(h, (await h.stat()).size), decompressHandlers: await loadDecompressHandlers() });
    const topics = [...r.channelsById.values()].map((c) => {
      const s = r.schemasById.get(c.schemaId)!;
      return { id: c.id, name: c.topic, type: s.name, definition: new TextDecoder().decode(s.data) };
    });
    const messages: BagMessage[] = [];
    for await (const m of r.readMessages()) messages.push({ topic: m.channelId, ns: m.logTime, data: m.data });
    return { topics, messages };
  } finally {
    await h.close();
  }
}

interface Db3Options {
  /** Iron/Jazzy layout: type_description_hash columns and a message_definitions table holding the definitions. */
  readonly definitions: boolean;
  readonly encode?: (m: BagMessage) => Uint8Array;
}

/** A rosbag2 SQLite file in the rosbag2_storage_sqlite3 schema, written with sql.js. */
async function writeDb3(path: string, topics: readonly BagTopic[], messages: readonly BagMessage[], o: Db3Options): Promise<void> {
  const SQL = await sqlite();
  const db = new SQL.Database();
  const hash = o.definitions ? ", type_description_hash TEXT NOT NULL" : "";
  db.run("CREATE TABLE schema(schema_version INTEGER PRIMARY KEY, ros_distro TEXT NOT NULL)");
  db.run("CREATE TABLE metadata(id INTEGER PRIMARY KEY, metadata_version INTEGER NOT NULL, metadata TEXT NOT NULL)");
  db.run(`CREATE TABLE topics(id INTEGER PRIMARY KEY, name TEXT NOT NULL, type TEXT NOT NULL, serialization_format TEXT NOT NULL, offered_qos_profiles TEXT NOT NULL${hash})`);
  db.run("CREATE TABLE messages(id INTEGER PRIMARY KEY, topic_id INTEGER NOT NULL, timestamp INTEGER NOT NULL, data BLOB NOT NULL)");
  db.run("CREATE INDEX timestamp_idx ON messages (timestamp ASC)");
  db.run("INSERT INTO schema VALUES (?, ?)", [o.definitions ? 4 : 3, o.definitions ? "jazzy" : "humble"]);
  const qos = "- history: 3\n  depth: 0\n  reliability: 1\n  durability: 2\n";
  for (const t of topics) {
    const params = [t.id, t.name, t.type, "cdr", qos, ...(o.definitions ? ["RIHS01_" + "0".repeat(64)] : [])];
    db.run(`INSERT INTO topics VALUES (${params.map(() => "?").join(", ")})`, params);
  }
  if (o.definitions) {
    db.run("CREATE TABLE message_definitions(id INTEGER PRIMARY KEY, topic_type TEXT NOT NULL, encoding TEXT NOT NULL, encoded_message_definition TEXT NOT NULL, type_description_hash TEXT NOT NULL)");
    topics.forEach((t, i) => db.run("INSERT INTO message_definitions VALUES (?, ?, ?, ?, ?)", [i + 1, t.type, "ros2msg", t.definition, "RIHS01_" + "0".repeat(64)]));
  }
  db.run("BEGIN");
  const stmt = db.prepare("INSERT INTO messages (topic_id, timestamp, data) VALUES (?, CAST(? AS INTEGER), ?)");
  for (const m of messages) {
    stmt.bind([m.topic, m.ns.toString(), o.encode ? o.encode(m) : m.data]);
    stmt.step();
  }
  stmt.free();
  db.run("COMMIT");
  writeFileSync(path, db.export());
  db.close();
}

function metadataYaml(storage: string, files: string[], topics: readonly BagTopic[], messages: readonly BagMessage[], compression = ["", ""]): string {
  const count = (id: number) => messages.filter((m) => m.topic === id).length;
  const lines = [
    "rosbag2_bagfile_information:",
    "  version: 9",
    `  storage_identifier: ${storage}`,
    "  duration:",
    "    nanoseconds: 395000000000",
    "  starting_time:",
    `    nanoseconds_since_epoch: ${messages[0].ns}`,
    `  message_count: ${messages.length}`,
    "  topics_with_message_count:",
    ...topics.flatMap((t) => [
      "    - topic_metadata:",
      `        name: ${t.name}`,
      `        type: ${t.type}`,
      "        serialization_format: cdr",
      '        offered_qos_profiles: ""',
      "        type_description_hash: RIHS01_" + "0".repeat(64),
      `      message_count: ${count(t.id)}`,
    ]),
    `  compression_format: "${compression[0]}"`,
    `  compression_mode: "${compression[1]}"`,
    "  relative_file_paths:",
    ...files.map((f) => `    - ${f}`),
    "  files: []",
  ];
  return lines.join("\n") + "\n";
}

function rows(d: Drive) {
  return d.channels.map((c) => [c.name, c.t.length, c.t[0], c.t[c.t.length - 1], c.values[0], c.values[c.values.length - 1]]);
}

function expectSameSamples(a: Drive, b: Drive) {
  expect(b.channels.map((c) => c.name)).toEqual(a.channels.map((c) => c.name));
  for (const ca of a.channels) {
    const cb = b.channels.find((c) => c.name === ca.name)!;
    expect(Array.from(cb.t), ca.name).toEqual(Array.from(ca.t));
    expect(Array.from(cb.values), ca.name).toEqual(Array.from(ca.values));
  }
}

describe("rosbag2 folders (metadata.yaml + SQLite .db3 or MCAP) read like the MCAP of the same recording", () => {
  const root = mkdtempSync(join(tmpdir(), "lam-rosbag2-"));
  afterAll(() => rmSync(root, { recursive: true, force: true }));
  const jazzy = join(root, "husky_jazzy");
  const humble = join(root, "husky_humble");
  const mcapBag = join(root, "husky_mcap");
  const split = join(root, "husky_split_zstd");
  const fileZstd = join(root, "husky_file_zstd");
  let topics: BagTopic[];
  let messages: BagMessage[];
  let reference: Drive;

  beforeAll(async () => {
    ({ topics, messages } = await huskyMessages());
    reference = await loadDrive(HUSKY);
    await zstd.isLoaded;

    // Jazzy: definitions in the bag, the recorded CDR bytes as they are.
    mkdirSync(jazzy);
    await writeDb3(join(jazzy, "husky_jazzy_0.db3"), topics, messages, { definitions: true });
    writeFileSync(join(jazzy, "metadata.yaml"), metadataYaml("sqlite3", ["husky_jazzy_0.db3"], topics, messages));

    // Humble: no definitions in the bag; messages re-serialised from lam's built-in definitions.
    mkdirSync(humble);
    const readers = new Map(topics.map((t) => [t.id, new MessageReader(parse(t.definition, { ros2: true }))]));
    const writers = new Map(topics.map((t) => [t.id, new MessageWriter(parse(ros2Definition(t.type), { ros2: true }))]));
    await writeDb3(join(humble, "husky_humble_0.db3"), topics, messages, {
      definitions: false,
      encode: (m) => writers.get(m.topic)!.writeMessage(readers.get(m.topic)!.readMessage(m.data)),
    });
    writeFileSync(join(humble, "metadata.yaml"), metadataYaml("sqlite3", ["husky_humble_0.db3"], topics, messages));

    // MCAP storage: the recording itself as the bag's one file.
    mkdirSync(mcapBag);
    copyFileSync(HUSKY, join(mcapBag, "husky_mcap_0.mcap"));
    writeFileSync(join(mcapBag, "metadata.yaml"), metadataYaml("mcap", ["husky_mcap_0.mcap"], topics, messages));

    // Split in two files, each message zstd-compressed (--compression-mode message).
    mkdirSync(split);
    const half = messages.length >> 1;
    const z = { definitions: true, encode: (m: BagMessage) => new Uint8Array(zstd.compress(m.data, 3)) };
    await writeDb3(join(split, "b_0.db3"), topics, messages.slice(0, half), z);
    await writeDb3(join(split, "b_1.db3"), topics, messages.slice(half), z);
    writeFileSync(join(split, "metadata.yaml"), metadataYaml("sqlite3", ["b_0.db3", "b_1.db3"], topics, messages, ["zstd", "MESSAGE"]));

    // The whole file zstd-compressed (--compression-mode file): c_0.db3.zstd.
    mkdirSync(fileZstd);
    await writeDb3(join(fileZstd, "plain.db3.tmp"), topics, messages, { definitions: true });
    writeFileSync(join(fileZstd, "c_0.db3.zstd"), zstd.compress(readFileSync(join(fileZstd, "plain.db3.tmp")), 3));
    rmSync(join(fileZstd, "plain.db3.tmp"));
    writeFileSync(join(fileZstd, "metadata.yaml"), metadataYaml("sqlite3", ["c_0.db3.zstd"], topics, messages, ["zstd", "FILE"]));
  });

  it("is recognised by content: a folder with metadata.yaml, a .db3 file", async () => {
    expect(await detectDriveFormat(jazzy)).toBe("rosbag2");
    expect(await detectDriveFormat(join(jazzy, "husky_jazzy_0.db3"))).toBe("rosbag2");
    expect(await detectDriveFormat(mcapBag)).toBe("rosbag2");
  });

  it("SQLite with the bag's own definitions, SQLite with built-in ones, MCAP storage, split and zstd bags: the MCAP's very samples", async () => {
    for (const dir of [jazzy, humble, mcapBag, split, fileZstd]) {
      const d = await loadDrive(dir);
      expect(d.format, dir).toBe("rosbag2");
      expect(rows(d), dir).toEqual(rows(reference));
      expectSameSamples(reference, d);
      expect(d.issues.filter((i) => i.reason === "malformed"), dir).toEqual([]);
    }
    // A single .db3 given by path reads the same.
    expectSameSamples(reference, await loadDrive(join(jazzy, "husky_jazzy_0.db3")));
  });

  it("lam inspect: same channels, counts and ranges as the MCAP", async () => {
    const want = JSON.parse((await lam("inspect", HUSKY, "--json")).out) as { channels: unknown[]; frames: unknown };
    for (const dir of [jazzy, humble]) {
      const r = await lam("inspect", dir, "--json");
      expect(r.code, r.err).toBe(0);
      const got = JSON.parse(r.out) as { format: string; channels: unknown[]; frames: unknown };
      expect(got.format).toBe("rosbag2");
      expect(got.channels).toEqual(want.channels);
      expect(got.frames).toEqual(want.frames);
    }
  });

  it("lam replay: the same frames, predictions and commands as the MCAP", async () => {
    const strip = (out: string) => {
      const j = JSON.parse(out) as { scenarios: { name: string; timing: unknown }[]; timing: unknown; summary: unknown };
      // What names the input (drive name, path, format) differs; everything computed from its samples must not.
      const named = (k: string, v: unknown) => (k === "drive" || k === "path" || k === "format" || k === "name" || k === "timing" ? undefined : v);
      return { scenarios: JSON.parse(JSON.stringify(j.scenarios, named)) as unknown[], summary: JSON.parse(JSON.stringify(j.summary, named)) as unknown };
    };
    const a = await lam("replay", HUSKY, "--json");
    const b = await lam("replay", jazzy, "--json");
    expect(a.code, a.err).toBe(0);
    expect(b.code, b.err).toBe(0);
    const sa = strip(a.out);
    const sb = strip(b.out);
    expect((sb.scenarios[0] as { replay: { frames: number } }).replay.frames).toBeGreaterThan(7000);
    expect(sb.scenarios).toEqual(sa.scenarios);
    expect(sb.summary).toEqual(sa.summary);
  });
});

describe("rosbag2: bad bags are reported by name, and good data beside bad is kept", () => {
  const root = mkdtempSync(join(tmpdir(), "lam-rosbag2-bad-"));
  afterAll(() => rmSync(root, { recursive: true, force: true }));
  let topics: BagTopic[];
  let messages: BagMessage[];
  beforeAll(async () => {
    ({ topics, messages } = await huskyMessages());
    messages = messages.slice(0, 600);
  });

  it("a file metadata.yaml lists but the folder lacks", async () => {
    const dir = join(root, "missing");
    mkdirSync(dir);
    writeFileSync(join(dir, "metadata.yaml"), metadataYaml("sqlite3", ["gone_0.db3"], topics, messages));
    await expect(loadDrive(dir)).rejects.toThrow(/gone_0\.db3: listed in metadata\.yaml \(relative_file_paths\) but not found/);
  });

  it("a .db3 that is not SQLite, and an SQLite file that is no rosbag2", async () => {
    const dir = join(root, "garbage");
    mkdirSync(dir);
    writeFileSync(join(dir, "g_0.db3"), Buffer.from("this is not a database at all, not even close"));
    writeFileSync(join(dir, "metadata.yaml"), metadataYaml("sqlite3", ["g_0.db3"], topics, messages));
    await expect(loadDrive(dir)).rejects.toThrow(/g_0\.db3: not an SQLite database \(first bytes 74686973/);

    const SQL = await sqlite();
    const db = new SQL.Database();
    db.run("CREATE TABLE other(x INTEGER)");
    const file = join(root, "other.db3");
    writeFileSync(file, db.export());
    await expect(loadDrive(file)).rejects.toThrow(/other\.db3: not a rosbag2 database: no "topics" table \(tables: other\)/);
  });

  it("a truncated CDR message and an unknown topic_id are counted; every other message is read", async () => {
    const dir = join(root, "cut");
    mkdirSync(dir);
    const imu = topics.find((t) => t.type.endsWith("Imu"))!;
    const cutAt = messages.findIndex((m) => m.topic === imu.id);
    const bad = messages.map((m, i) => (i === cutAt ? { ...m, data: m.data.subarray(0, 20) } : m));
    bad.push({ topic: 99, ns: messages[10].ns, data: new Uint8Array(8) });
    await writeDb3(join(dir, "cut_0.db3"), topics, bad, { definitions: true });
    writeFileSync(join(dir, "metadata.yaml"), metadataYaml("sqlite3", ["cut_0.db3"], topics, bad));
    const d = await loadRosbag2Drive(dir);
    const imuTopic = d.topics.find((t) => t.topic === imu.name)!;
    expect(imuTopic.malformed).toBe(1);
    expect(imuTopic.messages).toBe(messages.filter((m) => m.topic === imu.id).length);
    expect(d.rejected.yaw_rate?.malformed).toBe(1);
    expect(d.issues.some((i) => /cannot decode .*Imu/.test(i.message) && i.where.startsWith(imu.name + "@"))).toBe(true);
    expect(d.issues.some((i) => /1 messages name a topic_id that the topics table does not have/.test(i.message))).toBe(true);
    const good = await loadRosbag2Drive(join(root, "cut"));
    expect(good.channels.find((c) => c.name === "speed")!.t.length).toBe(messages.filter((m) => m.topic === topics.find((t) => t.type.endsWith("Odometry"))!.id).length);
  });

  it("no metadata.yaml (a recorder that never closed the bag): the .db3 files are read, and the drive says so", async () => {
    const dir = join(root, "unclosed");
    mkdirSync(dir);
    await writeDb3(join(dir, "unclosed_0.db3"), topics, messages, { definitions: false });
    expect(await detectDriveFormat(dir)).toBe("rosbag2");
    const d = await loadDrive(dir);
    expect(d.channels.length).toBeGreaterThan(5);
    expect(d.issues[0].message).toMatch(/no metadata\.yaml .*read the 1 \.db3 file\(s\) found/);
  });

  it("metadata.yaml: a message count the files do not hold is reported; a bad file names the key", async () => {
    const dir = join(root, "count");
    mkdirSync(dir);
    await writeDb3(join(dir, "c_0.db3"), topics, messages, { definitions: true });
    writeFileSync(join(dir, "metadata.yaml"), metadataYaml("sqlite3", ["c_0.db3"], topics, messages).replace(`message_count: ${messages.length}`, "message_count: 9999"));
    const d = await loadDrive(dir);
    expect(d.issues.some((i) => i.message === `metadata.yaml says 9999 messages; the files hold ${messages.length}`)).toBe(true);
    expect(() => parseBagMetadata("rosbag2_bagfile_information:\n  storage_identifier: sqlite3\n  relative_file_paths: 3\n", "m.yaml")).toThrow(
      /m\.yaml: rosbag2_bagfile_information\.relative_file_paths = 3: expected a list of file names/,
    );
    expect(() => parseBagMetadata("hello: 1\n", "m.yaml")).toThrow(/no rosbag2_bagfile_information/);
  });

  it("zstd frame headers give their content size", () => {
    const data = new Uint8Array(1000).map((_, i) => i % 7);
    expect(frameContentSize(zstd.compress(data, 3))).toBe(1000);
    expect(frameContentSize(new Uint8Array([1, 2, 3, 4, 5, 6]))).toBeUndefined();
  });
});
