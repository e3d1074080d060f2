import { BridgeInputError } from "./live.js";

// Small field checks shared by the wire decoders; each throws an error naming the field and the value.

export function isRecord(raw: unknown): raw is Record<string, unknown> {
  return typeof raw === "object" && raw !== null && !Array.isArray(raw) && !ArrayBuffer.isView(raw);
}

export function describe(value: unknown): string {
  if (value === null) return "null";
  if (Array.isArray(value)) return `array(${value.length})`;
  if (ArrayBuffer.isView(value)) return `${value.constructor.name}(${value.byteLength} bytes)`;
  if (typeof value === "object") return "object";
  if (typeof value === "string") return JSON.stringify(value.length > 40 ? `${value.slice(0, 40)}…` : value);
  return `${typeof value} ${String(value)}`;
}

export function record(raw: unknown, where: string): Record<string, unknown> {
  if (!isRecord(raw)) throw new BridgeInputError(where, "wrong_type", `expected an object, got ${describe(raw)}`);
  return raw;
}

export function finiteNumber(raw: unknown, where: string, field: string): number {
  if (typeof raw !== "number") {
    const what = raw === undefined ? "missing" : `not a number: ${describe(raw)}`;
    throw new BridgeInputError(`${where}@${field}`, "wrong_type", `${field} is ${what}`);
  }
  if (!Number.isFinite(raw)) throw new BridgeInputError(`${where}@${field}`, "nonfinite", `${field}=${raw}`);
  return raw;
}

export function string(raw: unknown, where: string, field: string): string {
  if (typeof raw !== "string") throw new BridgeInputError(`${where}@${field}`, "wrong_type", `${field} is not a string: ${describe(raw)}`);
  return raw;
}

export function stringArray(raw: unknown, where: string, field: string): string[] {
  if (!Array.isArray(raw) || raw.some((s) => typeof s !== "string"))
    throw new BridgeInputError(`${where}@${field}`, "wrong_type", `${field} is not an array of strings: ${describe(raw)}`);
  return raw as string[];
}

/**
 * A vector of finite numbers as a fresh Float32Array (never a view into the wire buffer): msgpack gives typed
 * arrays, JSON gives plain arrays.
 */
export function finiteVector(raw: unknown, where: string, field: string): Float32Array {
  let out: Float32Array;
  if (Array.isArray(raw)) {
    out = new Float32Array(raw.length);
    for (let i = 0; i < raw.length; i++) {
      const v: unknown = raw[i];
      if (typeof v !== "number")
        throw new BridgeInputError(`${where}@${field}[${i}]`, "wrong_type", `${field}[${i}] is not a number: ${describe(v)}`);
      out[i] = v;
    }
  } else if (raw instanceof Float32Array || raw instanceof Float64Array) {
    out = Float32Array.from(raw);
  } else {
    throw new BridgeInputError(`${where}@${field}`, "wrong_type", `${field} is not a number vector: ${describe(raw)}`);
  }
  const bad = out.findIndex((v) => !Number.isFinite(v));
  if (bad >= 0) throw new BridgeInputError(`${where}@${field}[${bad}]`, "nonfinite", `${field}[${bad}]=${out[bad]}`);
  return out;
}
