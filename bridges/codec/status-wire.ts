import type { NodeStatus, StatusCounts } from "./live.js";
import { BridgeInputError } from "./live.js";
import { finiteNumber, record, string } from "./checks.js";

const STATES: readonly NodeStatus["state"][] = ["starting", "online", "degraded", "offline"];

export function statusToWire(status: NodeStatus): Record<string, unknown> {
  return Object.fromEntries(Object.entries(status).filter(([, v]) => v !== undefined));
}

export function statusFromWire(raw: unknown, where: string): NodeStatus {
  const body = record(raw, where);
  const state = body.state;
  if (typeof state !== "string" || !(STATES as readonly string[]).includes(state))
    throw new BridgeInputError(`${where}@state`, "wrong_type", `state=${String(state)} (expected ${STATES.join(" | ")})`);
  const out: { -readonly [K in keyof NodeStatus]: NodeStatus[K] } = { state: state as NodeStatus["state"] };
  if (body.t !== undefined) out.t = finiteNumber(body.t, where, "t");
  if (body.detail !== undefined) out.detail = string(body.detail, where, "detail");
  if (body.model !== undefined) out.model = string(body.model, where, "model");
  if (body.counts !== undefined) out.counts = record(body.counts, `${where}@counts`) as unknown as StatusCounts;
  return out;
}
