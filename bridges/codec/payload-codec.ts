import { Packr } from "msgpackr";

/** How a bridge turns a message into bytes and back. `decode` throws on bytes that are not one whole value. */
export interface PayloadCodec {
  readonly name: CodecName;
  /** The MQTT 5 content type that names this encoding on the wire. */
  readonly contentType: string;
  encode(value: unknown): Uint8Array;
  decode(bytes: Uint8Array): unknown;
}

export type CodecName = "msgpack" | "json";

// moreTypes: typed arrays travel as typed arrays (without it a Float32Array comes back as a byte Buffer).
// useRecords off: records are a msgpackr-only extension, and other languages read these payloads too.
const packr = new Packr({ moreTypes: true, useRecords: false });

export const msgpackCodec: PayloadCodec = {
  name: "msgpack",
  contentType: "application/msgpack",
  encode: (value) => packr.pack(value),
  // Trailing bytes and truncation both throw inside msgpackr, which is what a decoder of one value should do.
  decode: (bytes) => packr.unpack(bytes),
};

const utf8 = new TextDecoder("utf-8", { fatal: true });
const utf8Encoder = new TextEncoder();

export const jsonCodec: PayloadCodec = {
  name: "json",
  contentType: "application/json",
  encode: (value) => utf8Encoder.encode(JSON.stringify(value, jsonReplacer)),
  decode: (bytes) => JSON.parse(utf8.decode(bytes)),
};

/** JSON has no typed arrays: they travel as plain arrays of numbers. */
function jsonReplacer(_key: string, value: unknown): unknown {
  if (ArrayBuffer.isView(value) && !(value instanceof DataView)) return Array.from(value as unknown as ArrayLike<number>);
  return value;
}

export const CODECS: Readonly<Record<CodecName, PayloadCodec>> = { msgpack: msgpackCodec, json: jsonCodec };

/** The codec by name, or an error naming the value and the choices. */
export function codecByName(name: string): PayloadCodec {
  const codec = (CODECS as Record<string, PayloadCodec | undefined>)[name];
  if (!codec) throw new Error(`unknown codec "${name}" (known: ${Object.keys(CODECS).join(", ")})`);
  return codec;
}

/** The codec an MQTT 5 content type names, or undefined for one lam does not speak. */
export function codecByContentType(contentType: string): PayloadCodec | undefined {
  const base = contentType.split(";")[0]!.trim().toLowerCase();
  if (base === msgpackCodec.contentType || base === "application/x-msgpack" || base === "application/vnd.msgpack") return msgpackCodec;
  if (base === jsonCodec.contentType) return jsonCodec;
  return undefined;
}
