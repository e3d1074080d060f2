import { parse as parseYaml } from "yaml";

// The ROS 2 command-line arguments (`--ros-args … [--]`, as rcl reads them), parsed here too because the
// CLI needs some of them before any node exists: which model to open, the node's name and namespace.
// rclnodejs gets the same tokens and applies them itself (remaps, namespace, parameter overrides).

export type RosParamValue = boolean | number | string | readonly boolean[] | readonly number[] | readonly string[];

export interface RosRemap {
  /** Only for this node name, when the rule was written `node:from:=to`. */
  readonly node?: string;
  readonly from: string;
  readonly to: string;
}

export interface RosArgs {
  /** Every ROS token, `--ros-args` markers included, in order: what rcl gets. */
  readonly tokens: readonly string[];
  readonly remaps: readonly RosRemap[];
  /** `-r __ns:=/car1` */
  readonly namespace?: string;
  /** `-r __node:=name` */
  readonly nodeName?: string;
  /** `-p name:=value` and `--params-file` entries that apply to this node, later ones winning (as in rcl). */
  readonly params: ReadonlyMap<string, RosParamValue>;
  readonly paramsFiles: readonly string[];
  readonly logLevel?: string;
}

/**
 * Splits a command line into the program's own arguments and the ROS ones: each `--ros-args` starts a ROS
 * section that runs to a lone `--` or the end (rcl's rule), so program flags can follow a `--`.
 */
export function splitRosArgs(argv: readonly string[]): { args: string[]; ros: string[] } {
  const args: string[] = [];
  const ros: string[] = [];
  let inRos = false;
  for (const a of argv) {
    if (a === "--ros-args") {
      inRos = true;
      ros.push(a);
    } else if (inRos && a === "--") {
      inRos = false;
      ros.push(a);
    } else (inRos ? ros : args).push(a);
  }
  return { args, ros };
}

export class RosArgsError extends Error {
  override readonly name = "RosArgsError";
}

/** A `-p` value as rcl reads it: a YAML scalar or flow sequence (true, 3, 2.5, "text", [a, b]). */
export function parseParamValue(text: string, where: string): RosParamValue {
  let v: unknown;
  try {
    v = parseYaml(text);
  } catch (e) {
    throw new RosArgsError(`${where}: ${JSON.stringify(text)} is not a YAML value (${(e as Error).message})`);
  }
  return toParamValue(v ?? text, where);
}

function toParamValue(v: unknown, where: string): RosParamValue {
  if (typeof v === "boolean" || typeof v === "string") return v;
  if (typeof v === "number") {
    if (!Number.isFinite(v)) throw new RosArgsError(`${where}: ${v} is not a finite number`);
    return v;
  }
  if (Array.isArray(v)) {
    if (v.length === 0) return [] as string[];
    const t = typeof v[0];
    if (!v.every((x) => typeof x === t) || !["boolean", "number", "string"].includes(t))
      throw new RosArgsError(`${where}: an array parameter needs elements of one type (booleans, numbers or strings), got ${JSON.stringify(v)}`);
    return v as RosParamValue;
  }
  throw new RosArgsError(`${where}: ${JSON.stringify(v)} is not a parameter value (want a bool, number, string or an array of one of them)`);
}

/** Whether a params-file key names this node (rcl's wildcards: `**` any number of segments, `*` within one). */
export function paramsKeyMatches(key: string, name: string, ns: string): boolean {
  const full = `${ns === "/" ? "" : ns}/${name}`.split("/").slice(1);
  const pattern = (key.startsWith("/") ? key : `/${key}`).split("/").slice(1);
  const seg = (p: string, s: string): boolean => new RegExp(`^${p.split("*").map((x) => x.replace(/[.+?^${}()|[\]\\]/g, "\\$&")).join("[^/]*")}$`).test(s);
  const match = (i: number, j: number): boolean => {
    if (i === pattern.length) return j === full.length;
    if (pattern[i] === "**") return match(i + 1, j) || (j < full.length && match(i, j + 1));
    return j < full.length && seg(pattern[i], full[j]) && match(i + 1, j + 1);
  };
  return match(0, 0);
}

/** ros__parameters of a params file that apply to this node, nested maps flattened with "." (as rclcpp does). */
export function paramsFromFile(text: string, file: string, name: string, ns: string): Map<string, RosParamValue> {
  let doc: unknown;
  try {
    doc = parseYaml(text);
  } catch (e) {
    throw new RosArgsError(`--params-file ${file}: not YAML (${(e as Error).message})`);
  }
  const out = new Map<string, RosParamValue>();
  if (typeof doc !== "object" || doc === null) throw new RosArgsError(`--params-file ${file}: want a map of node names to { ros__parameters: ... }`);
  for (const [key, body] of Object.entries(doc as Record<string, unknown>)) {
    if (!paramsKeyMatches(key, name, ns)) continue;
    const params = (body as { ros__parameters?: unknown } | null)?.ros__parameters;
    if (typeof params !== "object" || params === null) throw new RosArgsError(`--params-file ${file}: ${key} has no ros__parameters map`);
    const walk = (prefix: string, o: Record<string, unknown>): void => {
      for (const [k, v] of Object.entries(o)) {
        const p = prefix ? `${prefix}.${k}` : k;
        if (typeof v === "object" && v !== null && !Array.isArray(v)) walk(p, v as Record<string, unknown>);
        else out.set(p, toParamValue(v, `--params-file ${file}: ${key}.ros__parameters.${p}`));
      }
    };
    walk("", params as Record<string, unknown>);
  }
  return out;
}

/** `a:=b` → [a, b]; throws naming the flag and the token. */
function assignment(flag: string, token: string | undefined): [string, string] {
  const at = token?.indexOf(":=") ?? -1;
  if (token === undefined || at <= 0) throw new RosArgsError(`${flag} ${token ?? "(nothing)"}: expected name:=value`);
  return [token.slice(0, at), token.slice(at + 2)];
}

/**
 * Reads ROS arguments (from splitRosArgs) for node `defaultName`. Params files are read through `readFile`
 * at the point they appear, so `-p` after a file overrides it and before it does not, as in rcl.
 */
export function parseRosArgs(tokens: readonly string[], defaultName: string, readFile: (path: string) => string): RosArgs {
  const remaps: RosRemap[] = [];
  const paramsFiles: string[] = [];
  const steps: ({ kind: "p"; node?: string; name: string; value: RosParamValue } | { kind: "file"; path: string })[] = [];
  let namespace: string | undefined;
  let nodeName: string | undefined;
  let logLevel: string | undefined;
  let inRos = false;
  for (let i = 0; i < tokens.length; i++) {
    const t = tokens[i];
    if (t === "--ros-args") {
      inRos = true;
      continue;
    }
    if (t === "--") {
      inRos = false;
      continue;
    }
    if (!inRos) throw new RosArgsError(`${t}: not inside --ros-args`);
    switch (t) {
      case "-r":
      case "--remap": {
        const [lhs, to] = assignment(t, tokens[++i]);
        const parts = lhs.split(":");
        const node = parts.length === 2 ? parts[0] : undefined;
        const from = parts[parts.length - 1];
        if (parts.length > 2 || !from || !to) throw new RosArgsError(`${t} ${tokens[i]}: expected [node:]from:=to`);
        if (from === "__ns") {
          if (!to.startsWith("/")) throw new RosArgsError(`${t} __ns:=${to}: a namespace must be absolute (start with /)`);
          namespace = to.replace(/\/+$/, "") || "/";
        } else if (from === "__node" || from === "__name") {
          if (!/^[A-Za-z_][A-Za-z0-9_]*$/.test(to)) throw new RosArgsError(`${t} ${from}:=${to}: not a valid node name`);
          nodeName = to;
        } else remaps.push(node === undefined ? { from, to } : { node, from, to });
        break;
      }
      case "-p":
      case "--param": {
        const [lhs, value] = assignment(t, tokens[++i]);
        const parts = lhs.split(":");
        const name = parts[parts.length - 1];
        steps.push({ kind: "p", node: parts.length === 2 ? parts[0] : undefined, name, value: parseParamValue(value, `${t} ${lhs}`) });
        break;
      }
      case "--params-file": {
        const path = tokens[++i];
        if (!path) throw new RosArgsError("--params-file: expected a file");
        paramsFiles.push(path);
        steps.push({ kind: "file", path });
        break;
      }
      case "--log-level": {
        logLevel = tokens[++i];
        if (!logLevel) throw new RosArgsError("--log-level: expected a level");
        break;
      }
      case "-e":
      case "--enclave":
        i++;
        break;
      case "--enable-rosout-logs":
      case "--disable-rosout-logs":
      case "--enable-stdout-logs":
      case "--disable-stdout-logs":
      case "--enable-external-lib-logs":
      case "--disable-external-lib-logs":
        break;
      default:
        throw new RosArgsError(`unknown ROS argument ${t} (lam reads -r/--remap, -p/--param, --params-file, --log-level, -e/--enclave)`);
    }
  }
  const name = nodeName ?? defaultName;
  const ns = namespace ?? "/";
  const params = new Map<string, RosParamValue>();
  for (const s of steps) {
    if (s.kind === "p") {
      if (s.node === undefined || s.node === name) params.set(s.name, s.value);
    } else {
      let text: string;
      try {
        text = readFile(s.path);
      } catch (e) {
        throw new RosArgsError(`--params-file ${s.path}: ${(e as Error).message}`);
      }
      for (const [k, v] of paramsFromFile(text, s.path, name, ns)) params.set(k, v);
    }
  }
  return {
    tokens: [...tokens],
    remaps: remaps.filter((r) => r.node === undefined || r.node === name),
    ...(namespace === undefined ? {} : { namespace }),
    ...(nodeName === undefined ? {} : { nodeName }),
    params,
    paramsFiles,
    ...(logLevel === undefined ? {} : { logLevel }),
  };
}

/**
 * A topic name as rcl resolves it: relative names go under the namespace, `~/x` under the node, then the
 * first matching remap rule (matched on the expanded name) applies.
 */
export function resolveTopicName(topic: string, name: string, namespace: string, remaps: readonly RosRemap[]): string {
  const ns = namespace === "/" ? "" : namespace;
  const expand = (t: string): string => (t.startsWith("/") ? t : t.startsWith("~") ? `${ns}/${name}${t.slice(1)}` : `${ns}/${t}`);
  const full = expand(topic);
  for (const r of remaps) if (expand(r.from) === full) return expand(r.to);
  return full;
}
