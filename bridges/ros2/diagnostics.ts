import type { BridgeStats, NodeStatus } from "../codec/live.js";
import type { CommandMode } from "../../policy/types.js";
import { rosTime } from "./messages.js";

// diagnostic_msgs/DiagnosticArray in the manner of diagnostic_updater: one DiagnosticStatus per task, named
// "<node>: <task>", hardware_id the vehicle, values as key/value strings; rqt_robot_monitor and
// diagnostic_aggregator read them as they read any driver's.

export const DiagnosticLevel = { OK: 0, WARN: 1, ERROR: 2, STALE: 3 } as const;
export type DiagnosticLevel = (typeof DiagnosticLevel)[keyof typeof DiagnosticLevel];

export interface DiagnosticStatusMsg {
  readonly level: DiagnosticLevel;
  readonly name: string;
  readonly message: string;
  readonly hardware_id: string;
  readonly values: readonly { key: string; value: string }[];
}

export interface InputState {
  readonly topic: string;
  readonly messages: number;
  /** Node clock (s) of the last message, undefined before the first. */
  readonly lastAt?: number;
}

export interface LastCommand {
  readonly t: number;
  readonly mode: CommandMode;
  readonly limits: readonly string[];
  /** Node clock (s) when it was published. */
  readonly publishedAt: number;
}

export interface DiagnosticsInput {
  readonly node: string;
  readonly hardwareId: string;
  /** Node clock, s. */
  readonly now: number;
  readonly status?: NodeStatus;
  readonly lastCommand?: LastCommand;
  readonly commands: BridgeStats;
  readonly inputs: readonly InputState[];
  readonly sourceStats: BridgeStats;
  /** An input older than this (s) is stale (WARN); twice that, or none at all, is an ERROR. */
  readonly staleAfter?: number;
  /** Command latency (s: publish time minus the time of the data it was made from) above this is a WARN. */
  readonly latencyWarn?: number;
}

const f = (x: number, digits = 3): string => (Number.isFinite(x) ? x.toFixed(digits) : String(x));

/** The node's DiagnosticStatus entries: mode (and why not model), command latency, input staleness. */
export function diagnosticStatuses(d: DiagnosticsInput): DiagnosticStatusMsg[] {
  const staleAfter = d.staleAfter ?? 0.5;
  const latencyWarn = d.latencyWarn ?? 0.1;
  const name = (task: string) => `${d.node}: ${task}`;
  const out: DiagnosticStatusMsg[] = [];

  const c = d.lastCommand;
  const refused = d.commands.received - d.commands.accepted;
  const modeValues = [
    { key: "mode", value: c?.mode ?? "none" },
    { key: "state", value: d.status?.state ?? "unknown" },
    { key: "fallback_reason", value: c && c.mode !== "model" ? (d.status?.detail ?? "") : "" },
    { key: "limits", value: c ? c.limits.join(",") : "" },
    { key: "commands_published", value: String(d.commands.accepted) },
    { key: "commands_refused", value: String(refused) },
    { key: "last_error", value: d.commands.lastError ?? "" },
  ];
  if (!c) out.push({ level: DiagnosticLevel.STALE, name: name("mode"), message: "no command yet", hardware_id: d.hardwareId, values: modeValues });
  else {
    const level = c.mode === "model" ? (refused > 0 ? DiagnosticLevel.WARN : DiagnosticLevel.OK) : c.mode === "fallback" ? DiagnosticLevel.WARN : DiagnosticLevel.ERROR;
    const why = c.mode === "model" ? "" : d.status?.detail ? `: ${d.status.detail}` : "";
    out.push({ level, name: name("mode"), message: `${c.mode}${why}`, hardware_id: d.hardwareId, values: modeValues });
  }

  if (c) {
    const latency = c.publishedAt - c.t;
    const level = latency > latencyWarn * 5 ? DiagnosticLevel.ERROR : latency > latencyWarn ? DiagnosticLevel.WARN : DiagnosticLevel.OK;
    out.push({
      level,
      name: name("latency"),
      message: `command ${f(latency * 1000, 1)} ms after its data`,
      hardware_id: d.hardwareId,
      values: [
        { key: "latency_ms", value: f(latency * 1000, 1) },
        { key: "command_age_s", value: f(d.now - c.publishedAt) },
      ],
    });
  } else out.push({ level: DiagnosticLevel.STALE, name: name("latency"), message: "no command yet", hardware_id: d.hardwareId, values: [] });

  let worst: DiagnosticLevel = DiagnosticLevel.OK;
  const stale: string[] = [];
  const values: { key: string; value: string }[] = [];
  for (const i of d.inputs) {
    const age = i.lastAt === undefined ? Infinity : d.now - i.lastAt;
    values.push({ key: `${i.topic} age_s`, value: i.lastAt === undefined ? "never" : f(age) }, { key: `${i.topic} messages`, value: String(i.messages) });
    if (age > staleAfter) {
      stale.push(i.topic);
      worst = Math.max(worst, age > 2 * staleAfter ? DiagnosticLevel.ERROR : DiagnosticLevel.WARN) as DiagnosticLevel;
    }
  }
  const rejected = Object.values(d.sourceStats.rejected).reduce((a, n) => a + (n ?? 0), 0);
  values.push({ key: "samples_accepted", value: String(d.sourceStats.accepted) }, { key: "messages_rejected", value: String(rejected) });
  if (d.sourceStats.lastError) values.push({ key: "last_error", value: d.sourceStats.lastError });
  out.push({
    level: worst,
    name: name("inputs"),
    message: stale.length === 0 ? "all inputs fresh" : `stale: ${stale.join(", ")}`,
    hardware_id: d.hardwareId,
    values,
  });
  return out;
}

export function diagnosticArrayMsg(d: DiagnosticsInput, frameId = ""): Record<string, unknown> {
  return { header: { stamp: rosTime(d.now), frame_id: frameId }, status: diagnosticStatuses(d) };
}
