// Ingress: policy parameter files. The bundled presets' JSON text, mutated (a value replaced by a hostile one, a
// key dropped or added, the text cut or spliced), then JSON.parse and parsePolicyParams as `lam run --policy F`
// does. A parameter set that is accepted then drives policyStep for a few ticks with hostile predictions and
// states; every command must be finite and inside the envelope of the accepted parameters.
import { readFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { parsePolicyParams, PolicyParamsError, type PolicyParams } from "../../policy/params.js";
import { initialPolicyMemory, policyStep, type PolicyMemory } from "../../policy/step.js";
import { envelopeCheck, type CommandLike } from "./envelope-check.js";
import { HOSTILE_NUMBERS, hostileValue } from "./hostile.js";
import type { Rng } from "./rng.js";
import { show, Tally, type IngressReport } from "./tally.js";

const PRESETS = ["robot-1-10", "passenger-car"].map((n) => readFileSync(fileURLToPath(new URL(`../../policy/params/${n}.json`, import.meta.url)), "utf8"));

function paths(v: unknown, prefix: (string | number)[] = []): (string | number)[][] {
  if (v === null || typeof v !== "object") return [prefix];
  const out: (string | number)[][] = [prefix];
  for (const [k, x] of Object.entries(v)) out.push(...paths(x, [...prefix, Array.isArray(v) ? Number(k) : k]));
  return out;
}

function setAt(root: unknown, path: (string | number)[], value: unknown, remove: boolean): unknown {
  if (path.length === 0) return value;
  const copy = structuredClone(root) as Record<string | number, unknown>;
  let cur = copy;
  for (const k of path.slice(0, -1)) {
    const next = cur[k];
    if (next === null || typeof next !== "object") return copy; // an earlier mutation replaced this branch
    cur = next as Record<string | number, unknown>;
  }
  if (remove) delete cur[path.at(-1)!];
  else cur[path.at(-1)!] = value;
  return copy;
}

/** One mutated parameter file's text. */
function mutate(rng: Rng): string {
  const text = rng.pick(PRESETS);
  const obj = JSON.parse(text) as unknown;
  switch (rng.int(8)) {
    case 0:
      return text.slice(0, rng.int(text.length));
    case 1: {
      const at = rng.int(text.length);
      return text.slice(0, at) + rng.pick(["1e999", "-1e999", "NaN", "null", '"x"', "[]", "{}", "-0", "1e-400", ",", "}"]) + text.slice(at);
    }
    case 2:
      return text.replace(/-?\d+(\.\d+)?(e-?\d+)?/g, (m) => (rng.chance(0.1) ? rng.pick(["1e999", "-1e999", "0", "-0", "1e308", "-1", "5e-324", "1e-300"]) : m));
    default: {
      const ps = paths(obj).filter((p) => p.length > 0);
      let out = obj;
      for (let k = 1 + rng.int(3); k > 0; k--) {
        const p = rng.pick(ps);
        const value = rng.chance(0.5) ? rng.pick(HOSTILE_NUMBERS) : hostileValue(rng);
        out = setAt(out, p, value, rng.chance(0.15));
      }
      if (rng.chance(0.05)) Object.defineProperty(out, rng.pick(["__proto__", "extra", "constructor"]), { value: 1, enumerable: true, writable: true, configurable: true });
      // JSON has no NaN/Infinity: JSON.stringify writes null, 1e999 in text parses to Infinity.
      return JSON.stringify(out, (_k, v) => (typeof v === "bigint" ? Number(v) : v instanceof Float32Array ? Array.from(v) : typeof v === "number" && !Number.isFinite(v) ? (Number.isNaN(v) ? null : `__INF${v > 0 ? "+" : "-"}__`) : v)).replace(
        /"__INF([+-])__"/g,
        (_m, s: string) => (s === "+" ? "1e999" : "-1e999"),
      );
    }
  }
}

function drive(params: PolicyParams, rng: Rng, tally: Tally): void {
  const check = envelopeCheck(params);
  let memory: PolicyMemory = initialPolicyMemory();
  let prev: CommandLike | undefined;
  const channels = params.channels;
  for (let k = 0; k < 6; k++) {
    const t = k * params.nominalDt;
    const n = 4 * channels.length;
    const mean = new Float32Array(n).map(() => (rng.chance(0.1) ? rng.pick(HOSTILE_NUMBERS) : (rng.next() - 0.5) * 10));
    const prediction = rng.chance(0.8) ? { t0: t, dt: params.nominalDt, channels, mean, model: "fuzz" } : undefined;
    const speed = rng.chance(0.1) ? rng.pick(HOSTILE_NUMBERS) : rng.next() * 30;
    const r = policyStep({ ...(prediction ? { prediction } : { error: "fuzz: no prediction" }), state: { t, speed } }, memory, params);
    memory = r.memory;
    tally.commandsChecked++;
    const why = check(r.command, prev, r.why.overridden.filter((o) => o.channel === "steer_cmd").map((o) => o.limit));
    if (why) {
      if (why.includes("not a finite")) tally.nonfinite++;
      else tally.outOfLimit++;
      if (tally.examples.length < 5) tally.examples.push(`policy command out of limit: ${why} (params ${params.name})`);
    }
    prev = r.command;
  }
}

export function fuzzParams(rng: Rng, inputs: number): IngressReport {
  const tally = new Tally("policy parameter files");
  for (let i = 0; i < inputs; i++) {
    let text: string;
    try {
      text = mutate(rng);
    } catch (e) {
      tally.harness(e);
      continue;
    }
    tally.inputs++;
    let raw: unknown;
    try {
      raw = JSON.parse(text);
    } catch {
      tally.reject("not_json");
      continue;
    }
    let params: PolicyParams;
    try {
      params = parsePolicyParams(raw, "fuzz.json");
    } catch (e) {
      if (e instanceof PolicyParamsError) tally.reject("invalid_params");
      else tally.crash(e, `parsePolicyParams(${text.slice(0, 200)})`);
      continue;
    }
    tally.accepted++;
    try {
      drive(params, rng, tally);
    } catch (e) {
      tally.crash(e, `policyStep with accepted params ${show(raw)}`);
    }
  }
  return tally.report("JSON.parse → parsePolicyParams; each accepted set drives policyStep for 6 ticks (hostile predictions and speeds)");
}
