// YAML text → validated Scenario, or a ScenarioError whose lines each name the file:line:col, the field path
// and the offending value, e.g. `cut-in.yaml:14:16 traffic[1].profile[0].speed: expected number, got "fast"`.
import { LineCounter, parseDocument, isNode } from "yaml";
import type { z } from "zod";
import { ScenarioSchema, type Scenario } from "./schema.js";

export interface ScenarioIssue {
  /** file:line:col where known, else the file. */
  readonly where: string;
  /** Field path, e.g. traffic[1].profile[0].speed ("" = the whole document). */
  readonly path: string;
  readonly message: string;
}

export class ScenarioError extends Error {
  constructor(
    readonly source: string,
    readonly issues: readonly ScenarioIssue[],
  ) {
    super(issues.map((i) => `${i.where} ${i.path ? i.path + ": " : ""}${i.message}`).join("\n"));
    this.name = "ScenarioError";
  }
}

export function formatPath(path: readonly PropertyKey[]): string {
  let out = "";
  for (const k of path) {
    if (typeof k === "number") out += `[${k}]`;
    else out += (out ? "." : "") + String(k);
  }
  return out;
}

function show(v: unknown): string {
  if (v === undefined) return "nothing";
  const s = JSON.stringify(v);
  return s === undefined ? String(v) : s.length > 60 ? s.slice(0, 57) + "..." : s;
}

function valueAt(root: unknown, path: readonly PropertyKey[]): unknown {
  let v: unknown = root;
  for (const k of path) {
    if (v === null || typeof v !== "object") return undefined;
    v = (v as Record<PropertyKey, unknown>)[k as string];
  }
  return v;
}

function describe(issue: z.core.$ZodIssue, value: unknown): string {
  switch (issue.code) {
    case "invalid_type":
      return `expected ${issue.expected}, got ${show(value)}`;
    case "invalid_value":
      return `expected one of ${issue.values.map((v) => show(v)).join(", ")}, got ${show(value)}`;
    case "unrecognized_keys":
      return `unknown field${issue.keys.length > 1 ? "s" : ""} ${issue.keys.map((k) => `"${k}"`).join(", ")}`;
    case "invalid_union":
      if ("discriminator" in issue && issue.discriminator) return `${issue.message}, got ${show(value)}`;
      return `${issue.message}, got ${show(value)}`;
    default:
      return `${issue.message}, got ${show(value)}`;
  }
}

/** Parse and validate one scenario; `source` names the file in error messages. */
export function parseScenario(text: string, source = "<scenario>"): Scenario {
  const lines = new LineCounter();
  const doc = parseDocument(text, { lineCounter: lines, prettyErrors: false, uniqueKeys: true });
  const at = (offset: number | undefined): string => {
    if (offset === undefined) return source;
    const p = lines.linePos(offset);
    return `${source}:${p.line}:${p.col}`;
  };
  if (doc.errors.length > 0) {
    throw new ScenarioError(
      source,
      doc.errors.map((e) => ({ where: at(e.pos[0]), path: "", message: `YAML: ${e.message.split("\n")[0]}` })),
    );
  }
  let data: unknown;
  try {
    data = doc.toJS({ maxAliasCount: 100 });
  } catch (e) {
    // yaml throws a bare ReferenceError for an unresolved alias (*x with no &x) or an alias bomb.
    throw new ScenarioError(source, [{ where: source, path: "", message: `YAML: ${e instanceof Error ? e.message : String(e)}` }]);
  }
  const parsed = ScenarioSchema.safeParse(data);
  if (parsed.success) return parsed.data;
  const issues = parsed.error.issues.map((issue) => {
    const path = issue.path;
    // Point at the deepest node that exists in the document (a missing field points at its parent).
    let node: unknown = null;
    for (let n = path.length; n >= 0 && !node; n--) {
      const got = n === 0 ? doc.contents : doc.getIn(path.slice(0, n) as unknown[], true);
      if (isNode(got)) node = got;
    }
    const offset = isNode(node) ? node.range?.[0] : undefined;
    const value = issue.code === "invalid_type" || issue.code === "invalid_value" ? valueAt(data, path) : (issue as { input?: unknown }).input ?? valueAt(data, path);
    return { where: at(offset), path: formatPath(path), message: describe(issue, value) };
  });
  throw new ScenarioError(source, issues);
}
