import passengerCar from "./params/passenger-car.json" with { type: "json" };
import robot110 from "./params/robot-1-10.json" with { type: "json" };
import { parsePolicyParams, type PolicyParams } from "./params.js";

// Bundled with the code (not read at run time), and validated once here so a bad edit fails on import.
const presets: Readonly<Record<string, PolicyParams>> = {
  "passenger-car": parsePolicyParams(passengerCar, "policy/params/passenger-car.json"),
  "robot-1-10": parsePolicyParams(robot110, "policy/params/robot-1-10.json"),
};

export const POLICY_PRESET_NAMES: readonly string[] = Object.keys(presets);

/** A bundled parameter set by name ("passenger-car", "robot-1-10"). */
export function policyPreset(name: string): PolicyParams {
  const p = presets[name];
  if (!p) throw new Error(`unknown policy preset "${name}" (known: ${POLICY_PRESET_NAMES.join(", ")})`);
  return structuredClone(p);
}
