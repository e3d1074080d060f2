import type { LiveStats } from "../live/stats.js";
import type { Health } from "./server.js";

/**
 * The node is healthy while it is not offline and every sink's broker connection is up; the answer says which
 * part is not (a probe restarting a node whose broker is down would not help, so say so plainly).
 */
export function nodeHealth(s: LiveStats): Health {
  const brokers = s.sinks.map((k) => k.connected !== false);
  const healthy = s.state !== "offline" && brokers.every(Boolean);
  return {
    healthy,
    state: s.state,
    mode: s.mode,
    fallback_reason: s.fallback_reason ?? null,
    broker_connected: brokers,
    frames: s.frames,
    uptime_s: s.timing.uptime_s,
  };
}

/** The once-a-second status line's numbers, as fields of its JSON log record (counts by reason, not only at exit). */
export function statusFields(s: LiveStats, samplesPerS: number): Record<string, unknown> {
  return {
    samples_per_s: Math.round(samplesPerS),
    state: s.state,
    mode: s.mode,
    fallback_reason: s.fallback_reason ?? null,
    frames: s.frames,
    predictions: s.predictions,
    commands: s.commands,
    rejected: { total: s.rejected.total, bridges: s.rejected.bridges, perception: s.rejected.perception },
    p99_tick_ms: s.timing.p99_tick_ms,
    deadline_misses: s.timing.deadline_misses,
    last_command: s.last_command?.values ?? null,
  };
}
