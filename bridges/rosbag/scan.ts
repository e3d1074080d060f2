import type { BagFile } from "./file-reader.js";
import type { Decompress } from "./decompress.js";

/** What a front-to-back read of a bag meets, in file order. */
export type ScanEvent =
  | { readonly kind: "connection"; readonly conn: number; readonly topic: string; readonly type: string; readonly definition: string }
  | { readonly kind: "message"; readonly conn: number; readonly sec: number; readonly nsec: number; readonly data: Uint8Array }
  /** A record that could not be read; `fatal` when nothing after it can be found (the file ends there). */
  | { readonly kind: "issue"; readonly offset: number; readonly message: string; readonly fatal: boolean };

// Bag v2.0 record opcodes (http://wiki.ros.org/Bags/Format/2.0).
const OP_MESSAGE = 0x02;
const OP_CHUNK = 0x05;
const OP_CONNECTION = 0x07;
const MAGIC_LENGTH = 13;

type Fields = Map<string, Uint8Array>;

/** A record header or connection header: a run of <int32 length><name=value>. */
export function parseFields(buf: Uint8Array): Fields {
  const view = new DataView(buf.buffer, buf.byteOffset, buf.byteLength);
  const fields: Fields = new Map();
  for (let p = 0; p < buf.byteLength; ) {
    if (p + 4 > buf.byteLength) throw new Error(`field length at +${p} runs past the ${buf.byteLength}-byte header`);
    const len = view.getInt32(p, true);
    if (len < 0 || p + 4 + len > buf.byteLength) throw new Error(`field of ${len} bytes at +${p} runs past the ${buf.byteLength}-byte header`);
    const field = buf.subarray(p + 4, p + 4 + len);
    const eq = field.indexOf(0x3d);
    if (eq < 0) throw new Error(`field at +${p} has no "="`);
    fields.set(new TextDecoder().decode(field.subarray(0, eq)), field.subarray(eq + 1));
    p += 4 + len;
  }
  return fields;
}

function u32(fields: Fields, name: string): number {
  const v = fields.get(name);
  if (!v || v.byteLength < 4) throw new Error(`record has no ${name} field`);
  return new DataView(v.buffer, v.byteOffset, v.byteLength).getUint32(0, true);
}

function text(fields: Fields, name: string): string {
  const v = fields.get(name);
  return v ? new TextDecoder().decode(v) : "";
}

function recordEvent(fields: Fields, data: Uint8Array): ScanEvent | undefined {
  const op = fields.get("op")?.[0];
  if (op === OP_CONNECTION) {
    const conn = parseFields(data);
    return { kind: "connection", conn: u32(fields, "conn"), topic: text(fields, "topic"), type: text(conn, "type"), definition: text(conn, "message_definition") };
  }
  if (op === OP_MESSAGE) {
    const time = fields.get("time");
    if (!time || time.byteLength < 8) throw new Error("message record has no time field");
    const view = new DataView(time.buffer, time.byteOffset, 8);
    return { kind: "message", conn: u32(fields, "conn"), sec: view.getUint32(0, true), nsec: view.getUint32(4, true), data };
  }
  return undefined;
}

/** The connection and message records of a decompressed chunk; a bad record ends the chunk. */
function* chunkEvents(records: Uint8Array, chunkOffset: number): Generator<ScanEvent> {
  const view = new DataView(records.buffer, records.byteOffset, records.byteLength);
  for (let p = 0; p < records.byteLength; ) {
    try {
      const headerLen = view.getInt32(p, true);
      const dataLen = view.getInt32(p + 4 + headerLen, true);
      const end = p + 8 + headerLen + dataLen;
      if (headerLen < 0 || dataLen < 0 || end > records.byteLength) throw new Error(`record lengths ${headerLen}+${dataLen} run past the chunk`);
      const ev = recordEvent(parseFields(records.subarray(p + 4, p + 4 + headerLen)), records.subarray(p + 8 + headerLen, end));
      if (ev) yield ev;
      p = end;
    } catch (e) {
      yield { kind: "issue", offset: chunkOffset, message: `chunk at byte ${chunkOffset}: record at +${p} of its ${records.byteLength} decompressed bytes: ${e instanceof Error ? e.message : String(e)}; the rest of the chunk was skipped`, fatal: false };
      return;
    }
  }
}

/** Window searched at a time for the next record after damage. */
const RESYNC_WINDOW = 1 << 20;
const MAX_HEADER = 1 << 16;

/** Does a chunk, connection or message record plausibly start at `p` of `buf` (file offset `base`)? */
function plausibleAt(buf: Uint8Array, view: DataView, p: number, base: number, size: number): boolean {
  if (p + 8 > buf.byteLength) return false;
  const headerLen = view.getInt32(p, true);
  if (headerLen < 8 || headerLen > MAX_HEADER || p + 8 + headerLen > buf.byteLength) return false;
  const dataLen = view.getInt32(p + 4 + headerLen, true);
  if (dataLen < 0 || base + p + 8 + headerLen + dataLen > size) return false;
  let fields: Fields;
  try {
    fields = parseFields(buf.subarray(p + 4, p + 4 + headerLen));
  } catch {
    return false;
  }
  const op = fields.get("op");
  if (!op || op.byteLength !== 1) return false;
  if (op[0] === OP_CHUNK) return (fields.get("size")?.byteLength === 4 && ["none", "bz2", "lz4"].includes(text(fields, "compression")));
  if (op[0] === OP_CONNECTION || op[0] === OP_MESSAGE) return fields.get("conn")?.byteLength === 4;
  return false;
}

/** The file offset of the next plausible record after damage at `from`, or undefined. */
async function resync(file: BagFile, from: number): Promise<number | undefined> {
  const size = file.size();
  for (let base = from; base + 8 < size; base += RESYNC_WINDOW - MAX_HEADER - 8) {
    const buf = await file.read(base, Math.min(RESYNC_WINDOW, size - base));
    const view = new DataView(buf.buffer, buf.byteOffset, buf.byteLength);
    const last = buf.byteLength === size - base ? buf.byteLength : RESYNC_WINDOW - MAX_HEADER - 8;
    for (let p = 0; p < last; p++) if (plausibleAt(buf, view, p, base, size)) return base + p;
  }
  return undefined;
}

/**
 * Reads a bag record by record without its index, as `rosbag reindex` does: for bags whose index is
 * missing (recorder killed) or cut off. A record whose header is damaged is reported and reading resumes
 * at the next record that parses (resync), naming the bytes skipped; where the file ends inside a record
 * the issue is fatal and names the offset; a chunk that does not decompress is reported and skipped.
 */
export async function* scanBag(file: BagFile, decompress: Decompress): AsyncGenerator<ScanEvent> {
  const size = file.size();
  let messages = 0;
  let lastSec = 0;
  const kept = (): string => (messages === 0 ? "no message was read" : `${messages} messages were read, up to time ${lastSec} s`);
  for (let pos = MAGIC_LENGTH; pos < size; ) {
    // Damage (or a cut) at `pos`: resume at the next good record if there is one, else say the file ends here.
    const damaged = async function* (what: string): AsyncGenerator<ScanEvent, number | undefined> {
      const next = await resync(file, pos + 1);
      if (next === undefined) {
        yield {
          kind: "issue",
          offset: pos,
          message: `file is truncated or corrupt: the record at byte offset ${pos} ${what} (file is ${size} bytes); every complete record before it was read (${kept()}), no readable record after it (${size - pos} bytes lost)`,
          fatal: true,
        };
      } else {
        yield {
          kind: "issue",
          offset: pos,
          message: `corrupt record at byte offset ${pos}: it ${what}; ${next - pos} bytes skipped, reading resumed at byte ${next}`,
          fatal: false,
        };
      }
      return next;
    };
    let problem: string | undefined;
    let headerLen = 0;
    let dataLen = 0;
    let head: Uint8Array | undefined;
    if (pos + 4 > size) problem = "has no complete length";
    else {
      headerLen = new DataView((await file.read(pos, 4)).buffer).getInt32(0, true);
      if (headerLen < 0 || pos + 8 + headerLen > size) problem = `has a ${headerLen}-byte header that runs past the end`;
      else {
        head = await file.read(pos + 4, headerLen + 4);
        dataLen = new DataView(head.buffer).getInt32(headerLen, true);
        if (dataLen < 0 || pos + 8 + headerLen + dataLen > size) problem = `has ${dataLen} data bytes that run past the end`;
      }
    }
    let fields: Fields | undefined;
    if (problem === undefined) {
      try {
        fields = parseFields(head!.subarray(0, headerLen));
      } catch (e) {
        problem = `has an unreadable header (${e instanceof Error ? e.message : String(e)})`;
      }
    }
    if (problem !== undefined || !fields) {
      const next = yield* damaged(problem ?? "has no header");
      if (next === undefined) return;
      pos = next;
      continue;
    }
    const end = pos + 8 + headerLen + dataLen;
    const op = fields.get("op")?.[0];
    if (op === OP_CHUNK || op === OP_CONNECTION || op === OP_MESSAGE) {
      const data = await file.read(pos + 8 + headerLen, dataLen);
      if (op !== OP_CHUNK) {
        let ev: ScanEvent | undefined;
        try {
          ev = recordEvent(fields, data);
        } catch (e) {
          yield { kind: "issue", offset: pos, message: `record at byte ${pos}: ${e instanceof Error ? e.message : String(e)}; skipped`, fatal: false };
        }
        if (ev?.kind === "message") [messages, lastSec] = [messages + 1, Math.max(lastSec, ev.sec)];
        if (ev) yield ev;
      } else {
        const compression = text(fields, "compression");
        let records: Uint8Array | undefined;
        try {
          if (compression === "none") records = data;
          else {
            const fn = decompress[compression];
            if (!fn) throw new Error(`unsupported chunk compression "${compression}" (supported: none, ${Object.keys(decompress).join(", ")})`);
            records = fn(data, u32(fields, "size"));
          }
        } catch (e) {
          yield { kind: "issue", offset: pos, message: `chunk at byte ${pos} (${compression}, ${dataLen} bytes) does not decompress: ${e instanceof Error ? e.message : String(e)}; its messages were skipped`, fatal: false };
        }
        if (records) {
          for (const ev of chunkEvents(records, pos)) {
            if (ev.kind === "message") [messages, lastSec] = [messages + 1, Math.max(lastSec, ev.sec)];
            yield ev;
          }
        }
      }
    }
    pos = end;
  }
}
