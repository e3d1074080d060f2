import { z } from "zod";
import { CHANNELS, baseChannel, isKnownChannel } from "../../perception/channels.js";
import { UNIT_TRANSFORMS, type UnitTransformName } from "./transforms.js";

/** A unit conversion by name, or an affine step y = x * scale + offset. */
export type Transform = UnitTransformName | { readonly scale?: number; readonly offset?: number };

/** Where one column goes: a canonical channel, after transforms applied in order. */
export interface ColumnTarget {
  readonly channel: string;
  readonly transform?: Transform | readonly Transform[];
}

/** A channel computed from several columns of the same row. */
export interface DerivedChannel {
  readonly channel: string;
  /** quaternion_yaw: heading (rad, CCW about +z) from an orientation quaternion's x, y, z, w columns. */
  readonly from: "quaternion_yaw";
  readonly columns: { readonly x: string; readonly y: string; readonly z: string; readonly w: string };
  readonly transform?: Transform | readonly Transform[];
}

/** The time of a row: one seconds column (× scale), or ROS-style whole seconds + nanoseconds; then + offset. */
export type TimeSpec =
  | { readonly column: string; readonly scale?: number; readonly offset?: number }
  | { readonly s: string; readonly ns: string; readonly offset?: number };

export interface FileMap {
  /** File name inside the drive's folder; may be left out when the map is applied to one .csv given by path. */
  readonly file?: string;
  /** A missing optional file is reported as an issue; a missing required one is an error. */
  readonly optional?: boolean;
  readonly time: TimeSpec;
  /** Column name → channel (or several channels fed by the same column). */
  readonly columns?: Readonly<Record<string, ColumnTarget | readonly ColumnTarget[]>>;
  readonly derived?: readonly DerivedChannel[];
  /** Also map every other header column that is a canonical channel name to itself, in SI units. */
  readonly canonicalColumns?: boolean;
}

/** How a recorded drive's CSV files become canonical channels. Plain JSON: it can live in a file. */
export interface ColumnMap {
  readonly name: string;
  readonly description?: string;
  readonly files: readonly FileMap[];
}

const finite = z.number().refine(Number.isFinite, "must be a finite number");
const channelName = z
  .string()
  .refine((s) => isKnownChannel(s) && !s.endsWith("@"), {
    message: `unknown channel (known: ${[...CHANNELS.keys()].join(", ")}; a second source is name@qualifier)`,
  });
const column = z.string();
const unitName = z.enum(Object.keys(UNIT_TRANSFORMS) as [UnitTransformName, ...UnitTransformName[]]);
const affine = z
  .strictObject({ scale: finite.optional(), offset: finite.optional() })
  .refine((a) => a.scale !== undefined || a.offset !== undefined, "needs scale and/or offset");
const transform = z.union([unitName, affine]);
const transforms = z.union([transform, z.array(transform)]);
const target = z.strictObject({ channel: channelName, transform: transforms.optional() });
const derived = z.strictObject({
  channel: channelName,
  from: z.literal("quaternion_yaw"),
  columns: z.strictObject({ x: column, y: column, z: column, w: column }),
  transform: transforms.optional(),
});
const time = z.union([
  z.strictObject({ column, scale: finite.optional(), offset: finite.optional() }),
  z.strictObject({ s: column, ns: column, offset: finite.optional() }),
]);
const fileMap = z.strictObject({
  file: z.string().min(1).optional(),
  optional: z.boolean().optional(),
  time,
  columns: z.record(z.string(), z.union([target, z.array(target).min(1)])).optional(),
  derived: z.array(derived).optional(),
  canonicalColumns: z.boolean().optional(),
});
const columnMap = z.strictObject({
  name: z.string().min(1),
  description: z.string().optional(),
  files: z.array(fileMap).min(1),
});

/**
 * A column map checked against the schema and the channel registry. Errors name every bad key by its
 * path and show the value found there, e.g. `files[0].columns.speed_mps.channel = "sped": unknown channel`.
 */
export function parseColumnMap(json: unknown): ColumnMap {
  const r = columnMap.safeParse(json);
  const problems: string[] = [];
  if (!r.success) {
    for (const issue of r.error.issues) problems.push(...describeIssue(json, issue));
  } else {
    problems.push(...duplicateChannels(r.data));
    r.data.files.forEach((f, i) => {
      if (r.data.files.length > 1 && f.file === undefined) problems.push(`files[${i}].file: required when a map has several files`);
    });
  }
  if (problems.length > 0) {
    const name = typeof (json as { name?: unknown })?.name === "string" ? ` "${(json as { name: string }).name}"` : "";
    throw new Error(`invalid column map${name}: ${problems.join("; ")}`);
  }
  return r.data as ColumnMap;
}

/** Every channel a map produces, in map order, with the key that produces it (for error messages). */
export function mappedChannels(map: ColumnMap): { channel: string; key: string }[] {
  const out: { channel: string; key: string }[] = [];
  map.files.forEach((f, i) => {
    for (const [col, t] of Object.entries(f.columns ?? {})) {
      for (const one of asArray(t)) out.push({ channel: one.channel, key: `files[${i}].columns.${col}` });
    }
    (f.derived ?? []).forEach((d, j) => out.push({ channel: d.channel, key: `files[${i}].derived[${j}]` }));
  });
  return out;
}

export function asArray<T>(x: T | readonly T[] | undefined): readonly T[] {
  return x === undefined ? [] : Array.isArray(x) ? (x as readonly T[]) : [x as T];
}

function duplicateChannels(map: ColumnMap): string[] {
  const seen = new Map<string, string>();
  const out: string[] = [];
  for (const { channel, key } of mappedChannels(map)) {
    const before = seen.get(channel);
    if (before) {
      out.push(
        `${key}.channel = "${channel}": already produced by ${before} (name a second source "${baseChannel(channel)}@<source>")`,
      );
    } else seen.set(channel, key);
  }
  return out;
}

function describeIssue(input: unknown, issue: z.core.$ZodIssue, base: readonly PropertyKey[] = []): string[] {
  const path = [...base, ...issue.path];
  const where = formatPath(path) || "(top level)";
  if (issue.code === "unrecognized_keys") {
    return [`${where}: unknown key${issue.keys.length > 1 ? "s" : ""} ${issue.keys.map((k) => `"${k}"`).join(", ")}`];
  }
  if (issue.code === "invalid_union") {
    // Follow the one branch whose shape the value has (e.g. an object, not a list), to name the deepest bad key.
    const fits = issue.errors.filter((branch) => !branch.some((i) => i.path.length === 0 && i.code === "invalid_type"));
    if (fits.length === 1 && fits[0].some((i) => i.path.length > 0 || i.code === "invalid_union")) {
      return fits[0].flatMap((i) => describeIssue(input, i, path));
    }
  }
  const value = lookup(input, path);
  const shown = value === undefined ? "(missing)" : JSON.stringify(value);
  const message = issue.code === "invalid_union" ? unionHint(path) : issue.message;
  return [`${where} = ${shown}: ${message}`];
}

function unionHint(path: readonly PropertyKey[]): string {
  const last = path[path.length - 1];
  if (last === "time") return 'expected { "column": name } or { "s": name, "ns": name }, with optional scale/offset';
  if (path.includes("transform")) {
    return `expected one of ${Object.keys(UNIT_TRANSFORMS).join(", ")} or { "scale": n, "offset": n } (or a list of these)`;
  }
  return 'expected { "channel": name, "transform"?: ... } or a list of them';
}

function formatPath(path: readonly PropertyKey[]): string {
  let s = "";
  for (const p of path) {
    if (typeof p === "number") s += `[${p}]`;
    else s += s === "" ? String(p) : `.${String(p)}`;
  }
  return s;
}

function lookup(input: unknown, path: readonly PropertyKey[]): unknown {
  let v: unknown = input;
  for (const p of path) {
    if (v === null || typeof v !== "object") return undefined;
    v = (v as Record<PropertyKey, unknown>)[p];
  }
  return v;
}
