import type { Command, CommandMode } from "../../policy/types.js";
import { BridgeInputError } from "./live.js";
import { finiteNumber, record, stringArray } from "./checks.js";

const MODES: readonly CommandMode[] = ["model", "fallback", "stop"];

export function commandToWire(cmd: Command): Record<string, unknown> {
  return { t: cmd.t, values: cmd.values, mode: cmd.mode, limits: cmd.limits };
}

/** A checked Command: every value finite, a known mode. A NaN command never gets through. */
export function commandFromWire(raw: unknown, where: string): Command {
  const body = record(raw, where);
  const t = finiteNumber(body.t, where, "t");
  const rawValues = record(body.values, `${where}@values`);
  const values: Record<string, number> = {};
  for (const [k, v] of Object.entries(rawValues)) values[k] = finiteNumber(v, where, `values.${k}`);
  const mode = body.mode;
  if (typeof mode !== "string" || !(MODES as readonly string[]).includes(mode))
    throw new BridgeInputError(`${where}@mode`, "wrong_type", `mode=${String(mode)} (expected ${MODES.join(" | ")})`);
  const limits = stringArray(body.limits, where, "limits");
  return { t, values, mode: mode as CommandMode, limits };
}
