import { open } from "node:fs/promises";
import type { FileHandle } from "node:fs/promises";
import { basename } from "node:path";
import { McapIndexedReader, hasMcapPrefix } from "@mcap/core";
import type { McapTypes } from "@mcap/core";
import { loadDecompressHandlers } from "@mcap/support";
import { RosImporter, errorText, formatNs, nsToSeconds, routeTopic } from "../ros/index.js";
import type { ImporterOptions, RosDrive } from "../ros/index.js";
import { decoderFor } from "./decoders.js";
import type { Decode } from "./decoders.js";
import { FileReadable } from "./file-readable.js";
import { scanMcap } from "./resync.js";
import { regularFileSize } from "../regular-file.js";

/** The zstd/lz4/bz2 handlers, loaded once (their WebAssembly modules take milliseconds to start). */
let handlers: Promise<McapTypes.DecompressHandlers> | undefined;
function decompressors(): Promise<McapTypes.DecompressHandlers> {
  handlers ??= loadDecompressHandlers().catch((e: unknown) => {
    handlers = undefined;
    throw e;
  });
  return handlers;
}

interface ScanTally {
  messages: number;
  lastLogTime: bigint | undefined;
  lostBytes: number;
  unknownChannel: number;
}

export interface McapDriveOptions extends ImporterOptions {
  /** Drive name (default: the file name). */
  readonly name?: string;
}

/**
 * Reads a ROS MCAP recording into a Drive. The index is used when the file has one; a file without one,
 * one cut short (a recorder that died) or one with a damaged chunk is read front to back instead: a corrupt
 * chunk is skipped and reading resumes at the next good one, a cut keeps every complete message before it,
 * and the issues name byte offsets and what was kept. A file of which nothing can be read is an error.
 * Undecodable messages are counted, never fatal.
 */
export async function loadMcapDrive(path: string, options: McapDriveOptions = {}): Promise<RosDrive> {
  // Checked before open(): opening a FIFO blocks until a writer comes.
  await regularFileSize(path, "an MCAP file");
  const handle = await open(path, "r");
  try {
    const size = (await handle.stat()).size;
    const head = new Uint8Array(Math.min(8, size));
    await handle.read(head, 0, head.byteLength, 0);
    if (!hasMcapPrefix(new DataView(head.buffer))) {
      throw new Error(`${path}: not an MCAP file (first bytes ${Buffer.from(head).toString("hex")}, want 894d434150300d0a)`);
    }
    const meta = { name: options.name ?? basename(path), path, format: "mcap" as const };
    const decompressHandlers = await decompressors();
    let indexed: McapIndexedReader | undefined;
    try {
      indexed = await McapIndexedReader.Initialize({ readable: new FileReadable(handle, size), decompressHandlers });
    } catch {
      // No footer/summary (unindexed or truncated): the streaming read below finds out which, and where.
    }
    let indexedFailure: unknown;
    if (indexed) {
      const importer = new RosImporter(options);
      try {
        await readIndexed(indexed, importer, options);
        return importer.finish(meta);
      } catch (e) {
        indexedFailure = e;
      }
    }
    const importer = new RosImporter(options);
    if (indexedFailure !== undefined) {
      importer.fileIssue({ where: path, reason: "malformed", message: `indexed read failed (${errorText(indexedFailure)}); read front to back instead` });
    }
    const tally = await readScanned(handle, size, path, decompressHandlers, importer, options, indexed);
    const drive = importer.finish(meta);
    // A damaged file keeps what could be read (its issues say where and how much); one with nothing is an error.
    const damage = drive.issues.filter((i) => i.reason === "malformed" && i.where.startsWith(`${path}@`));
    if (tally.messages === 0 && damage.length > 0) {
      throw new Error(`${path}: nothing readable (${size} bytes, no complete message): ${damage.map((i) => i.message).join("; ")}`);
    }
    return drive;
  } finally {
    await handle.close();
  }
}

interface ChannelReader {
  readonly topic: string;
  readonly decode: Decode | undefined;
}

/** Declares the channel's topic to the importer; builds a decoder only for topics that will be read. */
function declareChannel(channel: McapTypes.Channel, schema: McapTypes.Schema | undefined, importer: RosImporter, options: ImporterOptions): ChannelReader {
  const type = schema?.name ?? "(no schema)";
  if ("reason" in routeTopic({ topic: channel.topic, type }, options)) {
    importer.topic(channel.topic, type);
    return { topic: channel.topic, decode: undefined };
  }
  const d = decoderFor(channel, schema);
  importer.topic(channel.topic, type, "reason" in d ? d.reason : undefined);
  return { topic: channel.topic, decode: "decode" in d ? d.decode : undefined };
}

function readMessage(reader: ChannelReader, message: McapTypes.Message, importer: RosImporter): void {
  if (!importer.take(reader.topic) || !reader.decode) return;
  const where = (): string => `${reader.topic}@${formatNs(message.logTime)}`;
  let decoded: unknown;
  try {
    decoded = reader.decode(message.data);
  } catch (e) {
    importer.malformed(reader.topic, where(), e);
    return;
  }
  importer.message(reader.topic, nsToSeconds(message.logTime), decoded, where);
}

async function readIndexed(reader: McapIndexedReader, importer: RosImporter, options: ImporterOptions): Promise<void> {
  const channels = new Map<number, ChannelReader>();
  for (const channel of reader.channelsById.values()) {
    channels.set(channel.id, declareChannel(channel, reader.schemasById.get(channel.schemaId), importer, options));
  }
  for await (const message of reader.readMessages()) {
    const ch = channels.get(message.channelId);
    if (ch) readMessage(ch, message, importer);
  }
}

/**
 * The damage-tolerant front-to-back read (resync.ts). `known` seeds schemas and channels from the file's
 * summary when it could be read, so a damaged first chunk does not orphan every message after it.
 */
async function readScanned(
  handle: FileHandle,
  size: number,
  path: string,
  decompressHandlers: McapTypes.DecompressHandlers,
  importer: RosImporter,
  options: ImporterOptions,
  known: McapIndexedReader | undefined,
): Promise<ScanTally> {
  const schemas = new Map<number, McapTypes.Schema>(known?.schemasById ?? []);
  const channels = new Map<number, ChannelReader>();
  const pending = new Map<number, McapTypes.Channel>(known?.channelsById ?? []);
  const tally: ScanTally = { messages: 0, lastLogTime: undefined, lostBytes: 0, unknownChannel: 0 };
  const channel = (id: number): ChannelReader | undefined => {
    let ch = channels.get(id);
    const c = pending.get(id);
    if (!ch && c) channels.set(id, (ch = declareChannel(c, schemas.get(c.schemaId), importer, options)));
    return ch;
  };
  const readable = new FileReadable(handle, size);
  const src = { size, read: (offset: number, length: number) => readable.read(BigInt(offset), BigInt(length)) };
  for await (const item of scanMcap(src, decompressHandlers)) {
    if (item.kind === "schema") {
      if (!schemas.has(item.schema.id)) schemas.set(item.schema.id, item.schema);
    } else if (item.kind === "channel") {
      if (!pending.has(item.channel.id)) pending.set(item.channel.id, item.channel);
    } else if (item.kind === "message") {
      const ch = channel(item.message.channelId);
      if (!ch) {
        tally.unknownChannel++;
        continue;
      }
      tally.messages++;
      if (tally.lastLogTime === undefined || item.message.logTime > tally.lastLogTime) tally.lastLogTime = item.message.logTime;
      readMessage(ch, item.message, importer);
    } else {
      tally.lostBytes += item.lost;
      importer.fileIssue({ where: `${path}@${item.offset}`, reason: "malformed", message: item.message });
    }
  }
  // Channels met but never used still name their topics (as the indexed read does).
  for (const id of pending.keys()) channel(id);
  if (tally.unknownChannel > 0) {
    importer.fileIssue({ where: path, reason: "malformed", message: `${tally.unknownChannel} messages name a channel id that no readable channel record declares; skipped` });
  }
  return tally;
}
