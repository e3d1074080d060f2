import { ACTION_CHANNELS, LIMIT_TABLES, PARAM_PREFIX, PolicyParamsError, formatKey, parsePolicyParams, type PolicyParams } from "./params.js";

/** A value for one dotted key: a number, a string (also a number written as text, as a CLI passes it), or an array. */
export type OverrideValue = number | string | readonly (number | string)[];

// Identity, not tunables.
const METADATA = new Set(["name", "description"]);

function walk(value: unknown, path: (string | number)[], out: string[]): void {
  if (Array.isArray(value)) {
    out.push(formatKey(path));
    if (value.every((v) => typeof v === "number")) value.forEach((_, i) => out.push(formatKey([...path, i])));
    return;
  }
  if (value !== null && typeof value === "object") {
    const keys = new Set(Object.keys(value));
    // Spread thresholds may be set for any action channel, present in the file or not.
    if (path.at(-1) === "maxStd") for (const ch of ACTION_CHANNELS) keys.add(ch);
    for (const k of keys) {
      if (path.length === 0 && METADATA.has(k)) continue;
      walk((value as Record<string, unknown>)[k], [...path, k], out);
    }
    return;
  }
  out.push(formatKey(path));
}

/**
 * Every key applyOverrides accepts, e.g. `policy.maxSpeed`, `policy.latAccLim` (the whole table: a number sets
 * every entry), `policy.latAccLim[1]`, `policy.fallback.holdTime`.
 */
export function listParamKeys(params: PolicyParams): string[] {
  const out: string[] = [];
  walk(params, [], out);
  return out;
}

function parseKey(key: string): (string | number)[] | null {
  if (!key.startsWith(`${PARAM_PREFIX}.`)) return null;
  const path: (string | number)[] = [];
  const re = /\.([A-Za-z_][A-Za-z0-9_]*)|\[(\d+)\]/y;
  re.lastIndex = PARAM_PREFIX.length;
  while (re.lastIndex < key.length) {
    const m = re.exec(key);
    if (!m) return null;
    path.push(m[1] !== undefined ? m[1] : Number(m[2]));
  }
  return path;
}

function coerce(target: unknown, v: number | string): unknown {
  if (typeof target === "number" && typeof v === "string" && v.trim() !== "" && Number.isFinite(Number(v))) return Number(v);
  return v;
}

const TABLE_KEYS = new Set<string>(LIMIT_TABLES);

/**
 * A copy of `params` with `overrides` applied by dotted key, validated as a whole (so a key that changes the
 * length of referenceSpeeds can come with the tables that must match it). Unknown keys are an error that
 * lists the known ones; the input is never modified.
 */
export function applyOverrides(params: PolicyParams, overrides: Readonly<Record<string, OverrideValue>>, source = "overrides"): PolicyParams {
  const known = listParamKeys(params);
  const knownSet = new Set(known);
  const unknown = Object.keys(overrides).filter((k) => !knownSet.has(k));
  if (unknown.length > 0) {
    throw new PolicyParamsError(
      source,
      unknown.map((k) => `${k}: unknown parameter key (known: ${known.join(", ")})`),
    );
  }
  const out = structuredClone(params) as unknown as Record<string, unknown>;
  const fills: [Record<string | number, unknown>, string | number, number | string][] = [];
  for (const [key, v] of Object.entries(overrides)) {
    const path = parseKey(key)!;
    let parent: Record<string | number, unknown> = out;
    for (const seg of path.slice(0, -1)) {
      parent[seg] ??= {};
      parent = parent[seg] as Record<string | number, unknown>;
    }
    const last = path.at(-1)!; // a spread threshold the file leaves unset is still a number (for coerce):
    const target = parent[last] ?? (path.at(-2) === "maxStd" ? 0 : undefined);
    if (Array.isArray(v)) parent[last] = v.map((x) => coerce(Array.isArray(target) ? target[0] : undefined, x));
    else if (Array.isArray(target)) fills.push([parent, last, v as number | string]);
    else parent[last] = coerce(target, v as number | string);
  }
  // A scalar for a whole table is the same limit at every reference speed, counted after referenceSpeeds may have changed.
  for (const [parent, last, v] of fills) {
    const target = parent[last] as unknown[];
    const n = parent === out && TABLE_KEYS.has(String(last)) ? (out.referenceSpeeds as unknown[]).length : target.length;
    parent[last] = Array.from({ length: n }, () => coerce(target[0], v));
  }
  return parsePolicyParams(out, source);
}
