// `--param key=value` (lam sim) and `--param key=a,b,c` (lam tune) as the CLI writes them (the sweep and its
// cartesian product are sim/tune/sweep.ts's). Values stay text: applyOverrides coerces them against the parameter's
// type, so `policy.fallback.action=hold,stop` and `policy.blend=0,0.5` both work. A bracketed value is one array value:
// `policy.latAccLim=[5,5,4,3],[4,4,3,2]` sweeps two whole tables.
import { UsageError } from "../io.js";
import type { OverrideValue } from "../../policy/overrides.js";
import { PolicyParamsError } from "../../policy/params.js";
import type { ParamSet, ParamSweep } from "../../sim/tune/sweep.js";
export { cartesian, type ParamSet, type ParamSweep } from "../../sim/tune/sweep.js";

function splitTop(text: string, where: string): string[] {
  const out: string[] = [];
  let depth = 0;
  let cur = "";
  for (const ch of text) {
    if (ch === "[") depth++;
    if (ch === "]") depth--;
    if (depth < 0) throw new UsageError(`${where}: unbalanced "]"`);
    if (ch === "," && depth === 0) {
      out.push(cur);
      cur = "";
    } else cur += ch;
  }
  if (depth !== 0) throw new UsageError(`${where}: unbalanced "["`);
  out.push(cur);
  return out;
}

// Numbers as numbers, so reports show 0.5 not "0.5"; anything else stays text for applyOverrides to check.
const asNumber = (v: string): number | string => (Number.isFinite(Number(v)) ? Number(v) : v);

function parseValue(text: string, where: string): OverrideValue {
  const v = text.trim();
  if (v === "") throw new UsageError(`${where}: empty value`);
  if (!v.startsWith("[")) return asNumber(v);
  const items = splitTop(v.slice(1, -1), where).map((s) => s.trim());
  if (!v.endsWith("]") || items.some((s) => s === "" || s.includes("["))) throw new UsageError(`${where}: expected a flat list like [1,2,3]`);
  return items.map(asNumber);
}

function splitAssignment(arg: string): [string, string] {
  const eq = arg.indexOf("=");
  if (eq <= 0) throw new UsageError(`--param ${JSON.stringify(arg)}: expected key=value, e.g. policy.blend=0.5`);
  return [arg.slice(0, eq).trim(), arg.slice(eq + 1)];
}

/** `lam sim --param key=value ...`: one value per key; a key given twice is an error. */
export function parseParamSet(args: readonly string[]): ParamSet {
  const out: Record<string, OverrideValue> = {};
  for (const arg of args) {
    const [key, raw] = splitAssignment(arg);
    if (key in out) throw new UsageError(`--param ${key}: given twice`);
    out[key] = parseValue(raw, `--param ${arg}`);
  }
  return out;
}

/** `lam tune --param key=a,b,c ...`: the values to sweep per key; repeated values are an error (they would tie). */
export function parseSweeps(args: readonly string[]): ParamSweep[] {
  const seen = new Set<string>();
  return args.map((arg) => {
    const [key, raw] = splitAssignment(arg);
    if (seen.has(key)) throw new UsageError(`--param ${key}: given twice (list every value once: ${key}=a,b,c)`);
    seen.add(key);
    const values = splitTop(raw, `--param ${arg}`).map((v) => parseValue(v, `--param ${arg}`));
    const texts = values.map((v) => JSON.stringify(v));
    const dup = texts.find((t, i) => texts.indexOf(t) !== i);
    if (dup) throw new UsageError(`--param ${key}: value ${dup} listed twice`);
    return { key, values };
  });
}

/** Runs `f`; bad --param keys or values (PolicyParamsError) become usage errors that name them and the known keys. */
export function checkParams<T>(f: () => T): T {
  try {
    return f();
  } catch (e) {
    if (e instanceof PolicyParamsError) throw new UsageError(e.message);
    throw e;
  }
}
