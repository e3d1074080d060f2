import { parse } from "@foxglove/rosmsg";
import { MessageReader } from "@foxglove/rosmsg2-serialization";
import initSqlJs, { type Database, type SqlJsStatic, type SqlValue } from "sql.js";
import { ROS2_DEFINED_TYPES, ros2Definition } from "../ros/definitions.js";
import { errorText, routeTopic } from "../ros/index.js";
import type { ImporterOptions, RosImporter } from "../ros/index.js";
import { SQLITE_MAGIC } from "./detect.js";

let engine: Promise<SqlJsStatic> | undefined;

/** Messages fetched per query. */
const PAGE = 16384;

/** sql.js (SQLite compiled to WebAssembly), loaded once. */
export function sqlite(): Promise<SqlJsStatic> {
  return (engine ??= initSqlJs());
}

export function isSqlite(head: Uint8Array): boolean {
  return head.length >= 16 && Buffer.from(head.subarray(0, 16)).equals(SQLITE_MAGIC);
}

/** Where each type's definition came from, for the drive's summary. */
export interface Db3Stats {
  messages: number;
  definitionsFromBag: number;
  definitionsBuiltIn: number;
}

interface TopicReader {
  readonly name: string;
  readonly reader: MessageReader | undefined;
}

function tables(db: Database): string[] {
  return (db.exec("SELECT name FROM sqlite_master WHERE type = 'table'")[0]?.values ?? []).map((r) => String(r[0]));
}

function columnsOf(db: Database, table: string): string[] {
  return (db.exec(`PRAGMA table_info(${table})`)[0]?.values ?? []).map((r) => String(r[1]));
}

/**
 * Reads one rosbag2 SQLite file (`.db3`, any schema version from Foxy to Jazzy) into `importer`. Message
 * definitions come from the file's `message_definitions` table where it has one (Iron and later), else
 * from lam's built-in ones for the types it maps. `decompress` undoes MESSAGE-mode compression.
 * A file that is no SQLite database or no rosbag2 one is an error naming it; a read that fails part-way
 * keeps every message before the failure and says where it stopped.
 */
export async function readDb3(
  file: string,
  bytes: Uint8Array,
  importer: RosImporter,
  options: ImporterOptions,
  decompress?: (data: Uint8Array, where: string) => Uint8Array,
): Promise<Db3Stats> {
  if (!isSqlite(bytes)) throw new Error(`${file}: not an SQLite database (first bytes ${Buffer.from(bytes.subarray(0, 16)).toString("hex")})`);
  const SQL = await sqlite();
  const db = new SQL.Database(bytes);
  const stats: Db3Stats = { messages: 0, definitionsFromBag: 0, definitionsBuiltIn: 0 };
  try {
    let names: string[];
    try {
      names = tables(db);
    } catch (e) {
      throw new Error(`${file}: cannot be read as SQLite: ${errorText(e)}`);
    }
    for (const t of ["topics", "messages"]) {
      if (!names.includes(t)) throw new Error(`${file}: not a rosbag2 database: no "${t}" table (tables: ${names.join(", ") || "none"})`);
    }
    const definitions = new Map<string, { encoding: string; text: string }>();
    if (names.includes("message_definitions")) {
      for (const [type, encoding, text] of db.exec("SELECT topic_type, encoding, encoded_message_definition FROM message_definitions")[0]?.values ?? []) {
        if (typeof type === "string" && typeof text === "string" && text !== "") definitions.set(type, { encoding: String(encoding), text });
      }
    }
    const hasFormat = columnsOf(db, "topics").includes("serialization_format");
    const topics = new Map<number, TopicReader>();
    const rows = db.exec(`SELECT id, name, type${hasFormat ? ", serialization_format" : ""} FROM topics ORDER BY id`)[0]?.values ?? [];
    for (const [id, name, type, format] of rows) {
      topics.set(Number(id), declare(String(name), String(type), hasFormat ? String(format) : "cdr", definitions, importer, options, stats));
    }

    let orphans = 0;
    // Pages of rows in (timestamp, id) order, one exec each: memory stays bounded by a page, not the bag.
    // The page key is the last row's exact int64 stamp (as text: a JS number would round it).
    let after: [string, number] | undefined;
    for (;;) {
      let rows: SqlValue[][];
      try {
        rows =
          db.exec(
            `SELECT topic_id, timestamp / 1000000000, timestamp % 1000000000, data, CAST(timestamp AS TEXT), id FROM messages` +
              (after ? " WHERE (timestamp, id) > (CAST(? AS INTEGER), ?)" : "") +
              ` ORDER BY timestamp, id LIMIT ${PAGE}`,
            after ?? [],
          )[0]?.values ?? [];
      } catch (e) {
        importer.fileIssue({ where: file, reason: "malformed", message: `${file}: reading messages failed after ${stats.messages} (${errorText(e)}); the messages before were kept` });
        break;
      }
      for (const [topicId, sec, nsec, data] of rows) {
        stats.messages++;
        const topic = topics.get(Number(topicId));
        if (!topic) {
          orphans++;
          continue;
        }
        if (!importer.take(topic.name) || !topic.reader) continue;
        const s = Number(sec);
        const ns = Number(nsec);
        const where = () => `${topic.name}@${s}.${String(Math.abs(ns)).padStart(9, "0")}`;
        let decoded: unknown;
        try {
          if (!(data instanceof Uint8Array)) throw new Error(`data is ${data === null ? "NULL" : typeof data}, not a BLOB`);
          decoded = topic.reader.readMessage(decompress ? decompress(data, where()) : data);
        } catch (e) {
          importer.malformed(topic.name, where(), e);
          continue;
        }
        importer.message(topic.name, s + ns * 1e-9, decoded, where);
      }
      if (rows.length < PAGE) break;
      const last = rows[rows.length - 1];
      after = [String(last[4]), Number(last[5])];
    }
    if (orphans > 0) {
      importer.fileIssue({ where: file, reason: "malformed", message: `${file}: ${orphans} messages name a topic_id that the topics table does not have; skipped` });
    }
  } finally {
    db.close();
  }
  return stats;
}

function declare(
  name: string,
  type: string,
  format: string,
  definitions: ReadonlyMap<string, { encoding: string; text: string }>,
  importer: RosImporter,
  options: ImporterOptions,
  stats: Db3Stats,
): TopicReader {
  if ("reason" in routeTopic({ topic: name, type }, options)) {
    importer.topic(name, type);
    return { name, reader: undefined };
  }
  if (format !== "cdr") {
    importer.topic(name, type, `serialization format "${format}" (lam reads cdr)`);
    return { name, reader: undefined };
  }
  const own = definitions.get(type);
  let text: string | undefined;
  if (own && own.encoding === "ros2msg") {
    text = own.text;
    stats.definitionsFromBag++;
  } else if (ROS2_DEFINED_TYPES.includes(type.replace("/msg/", "/"))) {
    text = ros2Definition(type);
    stats.definitionsBuiltIn++;
  } else {
    const why = own ? `its definition in the bag is ${own.encoding}, which lam does not parse` : "no definition in the bag and none built in";
    importer.topic(name, type, `${type}: ${why}`);
    return { name, reader: undefined };
  }
  try {
    const reader = new MessageReader(parse(text, { ros2: true }));
    importer.topic(name, type);
    return { name, reader };
  } catch (e) {
    importer.topic(name, type, `message definition of ${type} does not parse: ${errorText(e)}`);
    return { name, reader: undefined };
  }
}
