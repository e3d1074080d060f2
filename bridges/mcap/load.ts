import { open } from "node:fs/promises";
import type { FileHandle } from "node:fs/promises";
import { basename } from "node:path";
import { McapIndexedReader, McapStreamReader, hasMcapPrefix } from "@mcap/core";
import type { McapTypes } from "@mcap/core";
import { loadDecompressHandlers } from "@mcap/support";
import { RosImporter, errorText, formatNs, nsToSeconds, routeTopic } from "../ros/index.js";
import type { ImporterOptions, RosDrive } from "../ros/index.js";
import { decoderFor } from "./decoders.js";
import type { Decode } from "./decoders.js";
import { FileReadable } from "./file-readable.js";

export interface McapDriveOptions extends ImporterOptions {
  /** Drive name (default: the file name). */
  readonly name?: string;
}

/** Bytes handed to the streaming reader at a time when the file has no usable index. */
const STREAM_PIECE = 1 << 20;

/**
 * Reads a ROS MCAP recording into a Drive. The index is used when the file has one; a file without one,
 * or one cut short (a recorder that died), is read front to back instead, keeping every complete record
 * and naming the byte offset where reading stopped. Undecodable messages are counted, never fatal.
 */
export async function loadMcapDrive(path: string, options: McapDriveOptions = {}): Promise<RosDrive> {
  const handle = await open(path, "r");
  try {
    const size = (await handle.stat()).size;
    const head = new Uint8Array(Math.min(8, size));
    await handle.read(head, 0, head.byteLength, 0);
    if (!hasMcapPrefix(new DataView(head.buffer))) {
      throw new Error(`${path}: not an MCAP file (first bytes ${Buffer.from(head).toString("hex")}, want 894d434150300d0a)`);
    }
    const meta = { name: options.name ?? basename(path), path, format: "mcap" as const };
    const decompressHandlers = await loadDecompressHandlers();
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
    await readStream(handle, size, path, decompressHandlers, importer, options);
    return importer.finish(meta);
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

async function readStream(
  handle: FileHandle,
  size: number,
  path: string,
  decompressHandlers: McapTypes.DecompressHandlers,
  importer: RosImporter,
  options: ImporterOptions,
): Promise<void> {
  const stream = new McapStreamReader({ decompressHandlers, validateCrcs: true });
  const schemas = new Map<number, McapTypes.Schema>();
  const channels = new Map<number, ChannelReader>();
  const piece = new Uint8Array(STREAM_PIECE);
  let appended = 0;
  while (appended < size && !stream.done()) {
    const { bytesRead } = await handle.read(piece, 0, Math.min(piece.byteLength, size - appended), appended);
    if (bytesRead === 0) break;
    stream.append(piece.subarray(0, bytesRead));
    appended += bytesRead;
    // Where the next record starts: the reader's state is unspecified after it throws, so keep it from before.
    let next = appended - stream.bytesRemaining();
    try {
      for (let record; (record = stream.nextRecord()); next = appended - stream.bytesRemaining()) {
        if (record.type === "Schema") schemas.set(record.id, record);
        else if (record.type === "Channel" && !channels.has(record.id)) {
          channels.set(record.id, declareChannel(record, schemas.get(record.schemaId), importer, options));
        } else if (record.type === "Message") {
          const ch = channels.get(record.channelId);
          if (ch) readMessage(ch, record, importer);
          else importer.fileIssue({ where: `${path}@${appended - stream.bytesRemaining()}`, reason: "malformed", message: `message on unknown channel id ${record.channelId}` });
        }
      }
    } catch (e) {
      importer.fileIssue({ where: `${path}@${next}`, reason: "malformed", message: `corrupt record at byte offset ${next} of ${size}: ${errorText(e)}; records before it were kept, the rest of the file was not read` });
      return;
    }
  }
  if (!stream.done()) {
    const offset = appended - stream.bytesRemaining();
    importer.fileIssue({
      where: `${path}@${offset}`,
      reason: "malformed",
      message: `file is truncated: it ends inside a record that starts at byte offset ${offset} of ${size} (${size - offset} bytes unread); every complete record before it was read`,
    });
  }
}
