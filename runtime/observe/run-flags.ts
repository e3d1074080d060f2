// `lam run`'s observability flags: logging and the metrics/health endpoint.
import { UsageError } from "../io.js";
import { createLogger, parseLogFormat, parseLogLevel, type LamLogger } from "../log.js";

export const OBSERVE_FLAGS = {
  metrics: { type: "string" },
  "metrics-host": { type: "string" },
  "log-level": { type: "string" },
  "log-format": { type: "string" },
} as const;

export const OBSERVE_HELP = `  --metrics PORT     serve Prometheus /metrics and /healthz on http://127.0.0.1:PORT (0 = a free port)
  --metrics-host H   address for --metrics (default 127.0.0.1)
  --log-level L      trace, debug, info (default), warn, error, silent
  --log-format F     text (default: "lam run: ..." lines) or json (one pino JSON object per line, for log collectors);
                     repeated warnings: the first 5 of a kind per 10 s, then one "repeated N more times" line
`;

export type ObserveFlagValues = { [K in keyof typeof OBSERVE_FLAGS]?: string | undefined };

export function metricsPort(v: ObserveFlagValues): number | undefined {
  if (v.metrics === undefined) {
    if (v["metrics-host"] !== undefined) throw new UsageError("--metrics-host needs --metrics PORT");
    return undefined;
  }
  const n = Number(v.metrics);
  if (!Number.isInteger(n) || n < 0 || n > 65535) throw new UsageError(`--metrics ${v.metrics}: expected a port 0..65535`);
  return n;
}

/** The command's logger from the flags (LAM_LOG_FORMAT / LAM_LOG_LEVEL when the flags are absent). */
export function runLogger(v: ObserveFlagValues, write: (line: string) => void, env: NodeJS.ProcessEnv = process.env): LamLogger {
  const wrap = <T>(flag: string, parse: (s: string) => T, s: string): T => {
    try {
      return parse(s);
    } catch (err) {
      throw new UsageError(`--${flag}: ${(err as Error).message}`);
    }
  };
  const level = wrap("log-level", parseLogLevel, v["log-level"] ?? env.LAM_LOG_LEVEL ?? "info");
  const format = wrap("log-format", parseLogFormat, v["log-format"] ?? env.LAM_LOG_FORMAT ?? "text");
  return createLogger({ name: "lam run", level, format, write });
}
