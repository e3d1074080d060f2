import { open } from "node:fs/promises";
import type { FileHandle } from "node:fs/promises";
import { parse } from "@foxglove/rosmsg";
import { MessageWriter } from "@foxglove/rosmsg2-serialization";
import { McapWriter } from "@mcap/core";
import { FileWritable } from "./file-writable.js";

export interface McapSinkOptions {
  /** MCAP profile in the header: "" (default; mixed encodings) or "ros2" when every channel is ROS 2 CDR. */
  readonly profile?: string;
  /** Writer name in the header. No version or date goes in, so equal inputs give equal bytes. */
  readonly library?: string;
  /** Uncompressed chunk size in bytes (default 1 MiB). */
  readonly chunkSize?: number;
  /**
   * Chunk compression: "none" (default, for readers without decompressors) or "zstd" (what `ros2 bag record`
   * and Foxglove write; 3.1× smaller on a lam replay MCAP). zstd output depends only on the input bytes.
   */
  readonly compression?: "none" | "zstd";
  /** zstd level (default 3, zstd's own default). */
  readonly zstdLevel?: number;
}

/** The chunk compressor of an option, loading the zstd WebAssembly once. */
async function chunkCompressor(options: McapSinkOptions): Promise<((data: Uint8Array) => { compression: string; compressedData: Uint8Array }) | undefined> {
  if ((options.compression ?? "none") === "none") return undefined;
  const mod = (await import("@foxglove/wasm-zstd")) as unknown as { default?: typeof import("@foxglove/wasm-zstd") } & typeof import("@foxglove/wasm-zstd");
  const zstd = mod.default ?? mod;
  await zstd.isLoaded;
  const level = options.zstdLevel ?? 3;
  return (data) => ({ compression: "zstd", compressedData: new Uint8Array(zstd.compress(data, level)) });
}

type Encode = (message: unknown) => Uint8Array;

/**
 * Writes lam's outputs (predictions, commands, frames) as JSON channels and ROS 2 messages as CDR to an
 * indexed MCAP file that the standard readers and Foxglove open. Calls may overlap (e.g. from several
 * subscriptions): they are queued, since McapWriter corrupts its file if a call starts before the last
 * one finished. Output bytes depend only on what is written: no wall clock goes into the file.
 */
export class McapSink {
  readonly #writer: McapWriter;
  readonly #handle: FileHandle;
  readonly #encoders = new Map<number, Encode>();
  readonly #sequence = new Map<number, number>();
  readonly #schemas = new Map<string, number>();
  #queue: Promise<unknown> = Promise.resolve();
  #closed = false;

  private constructor(handle: FileHandle, writer: McapWriter) {
    this.#handle = handle;
    this.#writer = writer;
  }

  static async create(path: string, options: McapSinkOptions = {}): Promise<McapSink> {
    const handle = await open(path, "w");
    try {
      const compressChunk = await chunkCompressor(options);
      const writer = new McapWriter({ writable: new FileWritable(handle), chunkSize: options.chunkSize ?? 1 << 20, ...(compressChunk ? { compressChunk } : {}) });
      await writer.start({ profile: options.profile ?? "", library: options.library ?? "lam" });
      return new McapSink(handle, writer);
    } catch (e) {
      await handle.close();
      throw e;
    }
  }

  /** A channel of JSON messages; `schema` is the JSON Schema of its messages (default: any object). */
  addJsonChannel(topic: string, schemaName: string, schema: object = { type: "object" }): Promise<number> {
    return this.#enqueue(async () => {
      const schemaId = await this.#schema(schemaName, "jsonschema", new TextEncoder().encode(JSON.stringify(schema)));
      const id = await this.#writer.registerChannel({ topic, schemaId, messageEncoding: "json", metadata: new Map() });
      this.#encoders.set(id, encodeJson);
      return id;
    });
  }

  /** A channel of ROS 2 messages in CDR; `definition` is the full ros2msg text (see ros2Definition). */
  addRos2Channel(topic: string, type: string, definition: string): Promise<number> {
    return this.#enqueue(async () => {
      // Parse first: a bad definition fails here, naming the type, not at the first message.
      let writer: MessageWriter;
      try {
        writer = new MessageWriter(parse(definition, { ros2: true }));
      } catch (e) {
        throw new Error(`ROS 2 definition of ${type} for ${topic} does not parse: ${e instanceof Error ? e.message : String(e)}`);
      }
      const schemaId = await this.#schema(type, "ros2msg", new TextEncoder().encode(definition));
      const id = await this.#writer.registerChannel({ topic, schemaId, messageEncoding: "cdr", metadata: new Map() });
      this.#encoders.set(id, (m) => writer.writeMessage(m));
      return id;
    });
  }

  /** Appends one message; times are integer nanoseconds (secondsToNs converts). */
  write(channelId: number, logTimeNs: bigint, message: unknown, publishTimeNs: bigint = logTimeNs): Promise<void> {
    return this.#enqueue(async () => {
      const encode = this.#encoders.get(channelId);
      if (!encode) throw new Error(`no channel with id ${channelId} (have: ${[...this.#encoders.keys()].join(", ") || "none"})`);
      const sequence = this.#sequence.get(channelId) ?? 0;
      this.#sequence.set(channelId, sequence + 1);
      await this.#writer.addMessage({ channelId, sequence, logTime: logTimeNs, publishTime: publishTimeNs, data: encode(message) });
    });
  }

  /** Writes the summary and index, then closes the file. */
  close(): Promise<void> {
    const done = this.#enqueue(async () => {
      await this.#writer.end();
      await this.#handle.close();
    });
    this.#closed = true;
    return done;
  }

  async #schema(name: string, encoding: string, data: Uint8Array): Promise<number> {
    const key = `${encoding}\0${name}\0${Buffer.from(data).toString("base64")}`;
    let id = this.#schemas.get(key);
    if (id === undefined) this.#schemas.set(key, (id = await this.#writer.registerSchema({ name, encoding, data })));
    return id;
  }

  #enqueue<T>(op: () => Promise<T>): Promise<T> {
    if (this.#closed) return Promise.reject(new Error("McapSink is closed"));
    const next = this.#queue.then(op);
    // One failed call must not wedge the calls queued behind it.
    this.#queue = next.catch(() => undefined);
    return next;
  }
}

/** Typed arrays become plain arrays and bigints decimal strings, so JSON readers see the numbers. */
function encodeJson(message: unknown): Uint8Array {
  return new TextEncoder().encode(
    JSON.stringify(message, (_key, value: unknown) => {
      if (ArrayBuffer.isView(value) && !(value instanceof DataView)) return Array.from(value as unknown as ArrayLike<number>);
      if (typeof value === "bigint") return value.toString();
      return value;
    }),
  );
}
