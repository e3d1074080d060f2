import type { LiveStats } from "./stats.js";

const fmt = (v: number | null, digits: number): string => (v === null ? "-" : v.toFixed(digits));

/** One line a person can read at a glance, once a second: `samplesPerS` is measured by the caller. */
export function statusLine(s: LiveStats, samplesPerS: number): string {
  const cmd = s.last_command
    ? Object.entries(s.last_command.values)
        .map(([k, v]) => `${k}=${v.toFixed(3)}`)
        .join(" ")
    : "-";
  return (
    `${samplesPerS.toFixed(0).padStart(4)} samples/s  frames ${s.frames}  mode ${s.mode ?? "-"}  cmd ${cmd}  ` +
    `p99 ${fmt(s.timing.p99_tick_ms, 2)} ms  rejected ${s.rejected.total}  [${s.state}]`
  );
}

/** The end-of-run summary for humans (stderr); `--json` prints the LiveStats instead. */
export function summaryLines(s: LiveStats): string[] {
  const rej = [...Object.entries(s.rejected.bridges), ...Object.entries(s.rejected.perception)].map(([k, v]) => `${k} ${v}`).join(", ");
  return [
    `samples in ${s.samples.in} (unused channels ${s.samples.unused}), rejected ${s.rejected.total}${rej ? ` (${rej})` : ""}`,
    `frames ${s.frames}, predictions ${s.predictions}, predictor errors ${s.predictor_errors}`,
    `commands ${s.commands.total}: model ${s.commands.model}, fallback ${s.commands.fallback}, stop ${s.commands.stop}; limit events ${s.limit_events}; non-finite ${s.nonfinite_commands}`,
    `tick p50 ${fmt(s.timing.p50_tick_ms, 3)} ms, p99 ${fmt(s.timing.p99_tick_ms, 3)} ms, max ${fmt(s.timing.max_tick_ms, 3)} ms, deadline misses ${s.timing.deadline_misses}`,
    `ticks not sent: late ${s.unsent.late}, paced ${s.unsent.paced}; source clock resets ${s.clock_resets}; stale at the sinks ${s.sinks.reduce((a, k) => a + (k.rejected.stale ?? 0), 0)}`,
  ];
}
