import { crc32 } from "node:zlib";
import type { McapTypes } from "@mcap/core";

/**
 * A front-to-back MCAP reader that survives damage: a corrupt chunk (bad CRC, bad lengths, garbage) is
 * reported and skipped, and reading resumes at the next record that parses (resync); a file cut inside
 * an uncompressed chunk keeps the complete messages before the cut. Used when the indexed read fails.
 */
export type ScanItem =
  | { readonly kind: "schema"; readonly schema: McapTypes.Schema }
  | { readonly kind: "channel"; readonly channel: McapTypes.Channel }
  | { readonly kind: "message"; readonly message: McapTypes.Message }
  /** `lost`: bytes of the file not read because of this issue. */
  | { readonly kind: "issue"; readonly offset: number; readonly message: string; readonly lost: number };

export interface ByteSource {
  readonly size: number;
  read(offset: number, length: number): Promise<Uint8Array>;
}

// MCAP opcodes (https://mcap.dev/spec).
const OP = { header: 0x01, footer: 0x02, schema: 0x03, channel: 0x04, message: 0x05, chunk: 0x06, dataEnd: 0x0f } as const;
const MAX_OP = 0x0f;
const MAGIC_LENGTH = 8;
const COMPRESSIONS = new Set(["", "zstd", "lz4"]);
/** Window searched at a time while looking for the next record after damage. */
const RESYNC_WINDOW = 1 << 20;

class Cursor {
  readonly view: DataView;
  p = 0;
  constructor(readonly bytes: Uint8Array) {
    this.view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  }
  need(n: number, what: string): void {
    if (this.p + n > this.bytes.byteLength) throw new Error(`${what} runs past the end of its record (+${this.p}, ${n} bytes, record is ${this.bytes.byteLength})`);
  }
  u16(): number {
    this.need(2, "u16");
    return this.view.getUint16((this.p += 2) - 2, true);
  }
  u32(): number {
    this.need(4, "u32");
    return this.view.getUint32((this.p += 4) - 4, true);
  }
  u64(): bigint {
    this.need(8, "u64");
    return this.view.getBigUint64((this.p += 8) - 8, true);
  }
  bytesOf(n: number, what: string): Uint8Array {
    this.need(n, what);
    return this.bytes.subarray(this.p, (this.p += n));
  }
  string(what: string): string {
    const n = this.u32();
    return new TextDecoder("utf-8", { fatal: true }).decode(this.bytesOf(n, what));
  }
}

function parseSchema(body: Uint8Array): McapTypes.Schema {
  const c = new Cursor(body);
  const id = c.u16();
  const name = c.string("schema name");
  const encoding = c.string("schema encoding");
  const data = c.bytesOf(c.u32(), "schema data");
  return { id, name, encoding, data };
}

function parseChannel(body: Uint8Array): McapTypes.Channel {
  const c = new Cursor(body);
  const id = c.u16();
  const schemaId = c.u16();
  const topic = c.string("channel topic");
  const messageEncoding = c.string("channel message encoding");
  const metaBytes = new Cursor(c.bytesOf(c.u32(), "channel metadata"));
  const metadata = new Map<string, string>();
  while (metaBytes.p < metaBytes.bytes.byteLength) metadata.set(metaBytes.string("metadata key"), metaBytes.string("metadata value"));
  return { id, schemaId, topic, messageEncoding, metadata };
}

function parseMessage(body: Uint8Array): McapTypes.Message {
  const c = new Cursor(body);
  const channelId = c.u16();
  const sequence = c.u32();
  const logTime = c.u64();
  const publishTime = c.u64();
  return { channelId, sequence, logTime, publishTime, data: body.subarray(c.p) };
}

interface ChunkHead {
  readonly uncompressedSize: bigint;
  readonly crc: number;
  readonly compression: string;
  /** Offset of the compressed records within the chunk body, and their declared length. */
  readonly recordsAt: number;
  readonly recordsLength: bigint;
}

function parseChunkHead(body: Uint8Array): ChunkHead {
  const c = new Cursor(body);
  c.u64(); // message start time
  c.u64(); // message end time
  const uncompressedSize = c.u64();
  const crc = c.u32();
  const n = c.u32();
  if (n > 16) throw new Error(`compression name of ${n} bytes`);
  const compression = new TextDecoder("utf-8", { fatal: true }).decode(c.bytesOf(n, "compression"));
  const recordsLength = c.u64();
  return { uncompressedSize, crc, compression, recordsAt: c.p, recordsLength };
}

/** One record inside a chunk or at top level: what it gives the importer (other records give nothing). */
function recordItem(op: number, body: Uint8Array): ScanItem | undefined {
  if (op === OP.schema) return { kind: "schema", schema: parseSchema(body) };
  if (op === OP.channel) return { kind: "channel", channel: parseChannel(body) };
  if (op === OP.message) return { kind: "message", message: parseMessage(body) };
  return undefined;
}

/**
 * The records of a chunk's (decompressed) record bytes. With `partial`, the bytes end early (a cut file):
 * the records that are complete are returned and the cut one is not an error.
 */
function chunkItems(records: Uint8Array, partial: boolean): { items: ScanItem[]; consumed: number; error?: string } {
  const view = new DataView(records.buffer, records.byteOffset, records.byteLength);
  const items: ScanItem[] = [];
  let p = 0;
  try {
    while (p < records.byteLength) {
      if (p + 9 > records.byteLength) {
        if (partial) break;
        throw new Error(`${records.byteLength - p} stray bytes at the end`);
      }
      const op = view.getUint8(p);
      const len = view.getBigUint64(p + 1, true);
      if (op === 0 || op > MAX_OP) throw new Error(`unknown opcode 0x${op.toString(16)}`);
      if (BigInt(p + 9) + len > BigInt(records.byteLength)) {
        if (partial) break;
        throw new Error(`record of ${len} bytes runs past the chunk`);
      }
      const item = recordItem(op, records.subarray(p + 9, p + 9 + Number(len)));
      if (item) items.push(item);
      p += 9 + Number(len);
    }
  } catch (e) {
    return { items, consumed: p, error: `record at +${p} of its ${records.byteLength} bytes: ${e instanceof Error ? e.message : String(e)}` };
  }
  return { items, consumed: p };
}

/** Does a record plausibly start at `p` of `buf` (whose byte 0 is file offset `base`)? Used to resync. */
function plausibleAt(buf: Uint8Array, p: number, base: number, size: number, chunked: boolean): boolean {
  if (p + 9 > buf.byteLength) return false;
  const op = buf[p];
  // In a chunked file only chunk boundaries are resync points: a damaged chunk's inner records are not trusted.
  const loose = !chunked && (op === OP.schema || op === OP.channel || op === OP.message);
  if (op !== OP.chunk && op !== OP.dataEnd && op !== OP.footer && !loose) return false;
  const view = new DataView(buf.buffer, buf.byteOffset, buf.byteLength);
  const len = view.getBigUint64(p + 1, true);
  if (BigInt(base + p + 9) + len > BigInt(size)) return false;
  const n = Number(len);
  if (op === OP.chunk) {
    // A chunk's head is checked field by field: its compression is one we know, its records fill the body.
    if (n < 40 || p + 9 + 40 > buf.byteLength) return false;
    const nameLen = view.getUint32(p + 9 + 28, true);
    if (nameLen > 4 || p + 9 + 32 + nameLen + 8 > buf.byteLength) return false;
    const name = new TextDecoder().decode(buf.subarray(p + 9 + 32, p + 9 + 32 + nameLen));
    if (!COMPRESSIONS.has(name)) return false;
    return view.getBigUint64(p + 9 + 32 + nameLen, true) === BigInt(n - 40 - nameLen);
  }
  if (op === OP.footer) return n === 20 && base + p + 9 + n + MAGIC_LENGTH === size;
  if (op === OP.dataEnd && n !== 4) return false;
  // Any other record: it parses, and another record (or the end of the file) follows it.
  if (p + 9 + n + 9 > buf.byteLength) return false;
  try {
    recordItem(op, buf.subarray(p + 9, p + 9 + n));
  } catch {
    return false;
  }
  const next = buf[p + 9 + n];
  return next >= 1 && next <= MAX_OP;
}

/** The file offset of the next plausible record at or after `from`, or undefined. */
async function resync(src: ByteSource, from: number, chunked: boolean): Promise<number | undefined> {
  for (let base = from; base < src.size - 9; base += RESYNC_WINDOW - 64) {
    const buf = await src.read(base, Math.min(RESYNC_WINDOW, src.size - base));
    for (let p = 0; p + 9 <= buf.byteLength && p < RESYNC_WINDOW - 64; p++) if (plausibleAt(buf, p, base, src.size, chunked)) return base + p;
  }
  return undefined;
}

/**
 * Reads `src` (an MCAP file, magic already checked) record by record. Yields the schemas, channels and
 * messages it can trust and an issue for every stretch it could not, naming byte offsets and what was lost.
 */
export async function* scanMcap(src: ByteSource, decompress: McapTypes.DecompressHandlers): AsyncGenerator<ScanItem> {
  const size = src.size;
  let pos = MAGIC_LENGTH;
  let chunked = false;
  let messages = 0;
  let last = 0n;
  const note = (items: readonly ScanItem[]): readonly ScanItem[] => {
    for (const it of items) if (it.kind === "message") [messages, last] = [messages + 1, it.message.logTime > last ? it.message.logTime : last];
    return items;
  };
  const soFar = (): string => (messages === 0 ? "no message was read before it" : `${messages} messages were read before it, log times up to ${last / 1_000_000_000n}.${(last % 1_000_000_000n).toString().padStart(9, "0")}`);
  while (pos < size) {
    if (pos + 9 > size) {
      yield { kind: "issue", offset: pos, lost: size - pos, message: `file is truncated: ${size - pos} stray bytes at byte offset ${pos} of ${size}; ${soFar()}` };
      return;
    }
    const head = new DataView((await src.read(pos, 9)).buffer);
    const op = head.getUint8(0);
    const len = head.getBigUint64(1, true);
    const fits = BigInt(pos + 9) + len <= BigInt(size);
    if (op === OP.footer && fits) return;
    if (op === 0 || op > MAX_OP || (!fits && !(op === OP.chunk || op === OP.message || op === OP.schema || op === OP.channel))) {
      const next = await resync(src, pos + 1, chunked);
      const lost = (next ?? size) - pos;
      yield {
        kind: "issue",
        offset: pos,
        lost,
        message: `corrupt record at byte offset ${pos} of ${size} (opcode 0x${op.toString(16)}, length ${len}): ${lost} bytes skipped${next === undefined ? `, nothing readable after it (${soFar()})` : `, reading resumed at byte ${next}`}`,
      };
      if (next === undefined) return;
      pos = next;
      continue;
    }
    if (!fits) {
      // The file ends inside this record: a recorder that died, or a copy cut short.
      const body = await src.read(pos + 9, size - pos - 9);
      let kept = 0;
      let readTo = pos;
      if (op === OP.chunk) {
        try {
          const ch = parseChunkHead(body);
          if (ch.compression === "") {
            const { items, consumed } = chunkItems(body.subarray(ch.recordsAt), true);
            readTo = pos + 9 + ch.recordsAt + consumed;
            for (const it of note(items)) {
              if (it.kind === "message") kept++;
              yield it;
            }
          }
        } catch {
          // A head cut short: nothing of this chunk is readable.
        }
      }
      const what = op === OP.chunk ? "chunk" : "record";
      yield {
        kind: "issue",
        offset: pos,
        lost: size - readTo,
        message:
          `file is truncated: the ${what} at byte offset ${pos} of ${size} declares ${len} bytes but the file ends ${size - pos - 9} bytes into it; ` +
          (kept > 0 ? `${kept} complete messages from it were kept, the ${size - readTo} bytes after byte ${readTo} are lost` : `nothing of it could be read`) +
          ` (${soFar()})`,
      };
      return;
    }
    const body = await src.read(pos + 9, Number(len));
    const end = pos + 9 + Number(len);
    if (op === OP.chunk) chunked = true;
    /** False when the record's own length cannot be trusted (a chunk whose head is inconsistent). */
    let lengthTrusted = op !== OP.chunk;
    let problem: string | undefined;
    let salvaged: ScanItem[] = [];
    try {
      if (op === OP.chunk) {
        const ch = parseChunkHead(body);
        if (BigInt(ch.recordsAt) + ch.recordsLength !== BigInt(body.byteLength)) throw new Error(`its records length ${ch.recordsLength} does not fill its ${body.byteLength}-byte body`);
        lengthTrusted = true;
        let records = body.subarray(ch.recordsAt);
        if (ch.compression !== "") {
          const fn = decompress[ch.compression];
          if (!fn) throw new Error(`unsupported compression "${ch.compression}"`);
          records = fn(records, ch.uncompressedSize);
        }
        if (ch.crc !== 0 && crc32(records) >>> 0 !== ch.crc) throw new Error(`Incorrect chunk CRC ${crc32(records) >>> 0} (expected ${ch.crc})`);
        const r = chunkItems(records, false);
        salvaged = r.items;
        problem = r.error;
      } else {
        const it = recordItem(op, body);
        if (it) salvaged = [it];
      }
    } catch (e) {
      problem = e instanceof Error ? e.message : String(e);
      salvaged = [];
    }
    if (problem !== undefined && salvaged.length === 0) {
      // The record's own length cannot be trusted either: find where the next good record starts.
      const next = lengthTrusted ? end : await resync(src, pos + 1, chunked);
      const lost = (next ?? size) - pos;
      yield {
        kind: "issue",
        offset: pos,
        lost,
        message: `corrupt record at byte offset ${pos} of ${size}: ${problem}; ${lost} bytes skipped${next === undefined ? `, nothing readable after it (${soFar()})` : `, reading resumed at byte ${next}`}`,
      };
      if (next === undefined) return;
      pos = next;
      continue;
    }
    yield* note(salvaged);
    if (problem !== undefined) yield { kind: "issue", offset: pos, lost: 0, message: `chunk at byte offset ${pos}: ${problem}; the rest of the chunk was skipped` };
    pos = end;
  }
}
