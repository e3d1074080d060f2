import { basename } from "node:path";
import { Bag } from "@foxglove/rosbag";
import { parse } from "@foxglove/rosmsg";
import { MessageReader } from "@foxglove/rosmsg-serialization";
import { RosImporter, errorText, routeTopic } from "../ros/index.js";
import type { ImporterOptions, RosDrive } from "../ros/index.js";
import { bagDecompressors } from "./decompress.js";
import type { Decompress } from "./decompress.js";
import { BagFile } from "./file-reader.js";
import { scanBag } from "./scan.js";

export interface RosbagDriveOptions extends ImporterOptions {
  /** Drive name (default: the file name). */
  readonly name?: string;
}

const MAGIC = "#ROSBAG V2.0\n";
const END_OF_TIME = { sec: 0xffffffff, nsec: 999_999_999 };

interface Connection {
  readonly topic: string;
  /** Undefined for topics that are not read (or whose definition does not parse). */
  readonly reader: MessageReader | undefined;
}

/**
 * Reads a ROS 1 bag (v2.0; chunks uncompressed, bz2 or lz4) into a Drive, decoding each message with its
 * connection's own definition. A bag without a usable index (recorder killed, file cut) is read record
 * by record instead, keeping every complete chunk; a chunk that cannot be read is reported and skipped.
 */
export async function loadRosbagDrive(path: string, options: RosbagDriveOptions = {}): Promise<RosDrive> {
  const file = await BagFile.open(path);
  try {
    const magic = file.size() >= MAGIC.length ? new TextDecoder().decode(await file.read(0, MAGIC.length)) : "";
    if (magic !== MAGIC) throw new Error(`${path}: not a ROS 1 bag v2.0 (starts with ${JSON.stringify(magic.slice(0, 13))}, want ${JSON.stringify(MAGIC)})`);
    const decompress = await bagDecompressors();
    const importer = new RosImporter(options);
    const bag = new Bag(file, { decompress, parse: false });
    let indexProblem: string | undefined;
    try {
      await bag.open();
      // A bag whose recorder never closed it has index_pos 0 and no connections in its header.
      if (bag.header && (bag.header.indexPosition === 0 || bag.header.connectionCount === 0) && file.size() > (bag.header.end ?? 0)) {
        indexProblem = `the bag header has no index (index_pos=${bag.header.indexPosition}, ${bag.header.connectionCount} connections): the bag was not closed`;
      }
    } catch (e) {
      const at = bag.header ? ` (index at byte ${bag.header.indexPosition}, file is ${file.size()} bytes)` : "";
      indexProblem = `the bag index cannot be read${at}: ${errorText(e)}`;
    }
    const tally: Tally = { messages: 0 };
    if (indexProblem === undefined) {
      await readIndexed(bag, path, decompress, importer, options, tally);
    } else {
      importer.fileIssue({ where: `${path}@${bag.header?.indexPosition ?? 0}`, reason: "malformed", message: `${indexProblem}; records were read front to back instead` });
      await readScanned(file, path, decompress, importer, options, tally);
    }
    const meta = { name: options.name ?? basename(path), path, format: "rosbag1" as const };
    const drive = importer.finish(meta);
    const damage = drive.issues.filter((i) => i.reason === "malformed" && i.where.startsWith(`${path}@`));
    // A damaged file keeps what could be read (its issues say where and how much); one with nothing is an error.
    if (damage.length > 0 && tally.messages === 0) {
      throw new Error(`${path}: nothing readable (${file.size()} bytes, no complete message): ${damage.map((i) => i.message).join("; ")}`);
    }
    return drive;
  } finally {
    await file.close();
  }
}

/** Parsed message definitions, by their text: a bag repeats the same few in every file (bounded, oldest out). */
const READERS = new Map<string, MessageReader>();
const READERS_MAX = 64;

function readerFor(definition: string): MessageReader {
  let r = READERS.get(definition);
  if (!r) {
    r = new MessageReader(parse(definition));
    if (READERS.size >= READERS_MAX) READERS.delete(READERS.keys().next().value!);
    READERS.set(definition, r);
  }
  return r;
}

function declare(topic: string, type: string, definition: string, importer: RosImporter, options: ImporterOptions): Connection {
  if ("reason" in routeTopic({ topic, type }, options)) {
    importer.topic(topic, type);
    return { topic, reader: undefined };
  }
  try {
    const reader = readerFor(definition);
    importer.topic(topic, type);
    return { topic, reader };
  } catch (e) {
    importer.topic(topic, type, `message definition of ${type} does not parse: ${errorText(e)}`);
    return { topic, reader: undefined };
  }
}

/** Messages met in the file (read or on skipped topics). */
interface Tally {
  messages: number;
}

function readMessage(c: Connection, sec: number, nsec: number, data: Uint8Array, importer: RosImporter, tally: Tally): void {
  tally.messages++;
  if (!importer.take(c.topic) || !c.reader) return;
  const where = (): string => `${c.topic}@${sec}.${nsec.toString().padStart(9, "0")}`;
  let decoded: unknown;
  try {
    decoded = c.reader.readMessage(data);
  } catch (e) {
    importer.malformed(c.topic, where(), e);
    return;
  }
  importer.message(c.topic, sec + nsec * 1e-9, decoded, where);
}

async function readIndexed(bag: Bag, path: string, decompress: Decompress, importer: RosImporter, options: ImporterOptions, tally: Tally): Promise<void> {
  const connections = new Map<number, Connection>();
  for (const c of bag.connections.values()) connections.set(c.conn, declare(c.topic, c.type ?? "", c.messageDefinition, importer, options));
  const ids = [...connections.keys()];
  for (const info of bag.chunkInfos) {
    let messages;
    try {
      messages = await bag.reader.readChunkMessages(info, ids, { sec: 0, nsec: 0 }, END_OF_TIME, decompress);
    } catch (e) {
      const count = info.connections.reduce((n, c) => n + c.count, 0);
      importer.fileIssue({ where: `${path}@${info.chunkPosition}`, reason: "malformed", message: `chunk at byte ${info.chunkPosition} cannot be read (${errorText(e)}); its ${count} messages were skipped` });
      continue;
    }
    for (const m of messages) {
      const c = connections.get(m.conn);
      if (c && m.data) readMessage(c, m.time.sec, m.time.nsec, m.data, importer, tally);
    }
  }
}

async function readScanned(file: BagFile, path: string, decompress: Decompress, importer: RosImporter, options: ImporterOptions, tally: Tally): Promise<void> {
  const connections = new Map<number, Connection>();
  let orphans = 0;
  for await (const ev of scanBag(file, decompress)) {
    if (ev.kind === "connection") {
      if (!connections.has(ev.conn)) connections.set(ev.conn, declare(ev.topic, ev.type, ev.definition, importer, options));
    } else if (ev.kind === "message") {
      const c = connections.get(ev.conn);
      if (c) readMessage(c, ev.sec, ev.nsec, ev.data, importer, tally);
      else orphans++;
    } else {
      importer.fileIssue({ where: `${path}@${ev.offset}`, reason: "malformed", message: ev.message });
    }
  }
  if (orphans > 0) importer.fileIssue({ where: path, reason: "malformed", message: `${orphans} messages came before any connection record naming their topic and were skipped` });
}
