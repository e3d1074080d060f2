// Ending a long-running command on SIGINT/SIGTERM within a bounded time, whatever hangs.

export type StopSignal = "SIGINT" | "SIGTERM";

/** The conventional exit status of a process ended by `signal` (128 + its number). */
export const SIGNAL_EXIT: Record<StopSignal, number> = { SIGINT: 130, SIGTERM: 143 };

export interface ShutdownOptions {
  /** Called once, on the first SIGINT or SIGTERM: begin the graceful stop. */
  readonly onSignal: (signal: StopSignal) => void;
  /** How long the graceful stop may take before the process is ended anyway (ms). */
  readonly graceMs: number;
  readonly log: (line: string) => void;
  /** Ends the process; default process.exit. */
  readonly exit?: (code: number) => void;
  /** Where signals come from; default process. */
  readonly signals?: Pick<NodeJS.Process, "on" | "off">;
}

export interface ShutdownGuard {
  /** The signal that started the stop, if any. */
  signal(): StopSignal | undefined;
  /** Removes the handlers and the deadline (the stop finished in time). */
  disarm(): void;
}

/**
 * First SIGINT/SIGTERM: `onSignal`, and a deadline (an unref'd timer: it keeps nothing alive) after which the
 * process exits whatever is still closing. Second signal of either kind: exit at once. The handlers stay installed
 * for both signals until disarm(), so a SIGTERM after a SIGINT is never swallowed.
 */
export function armShutdown(opts: ShutdownOptions): ShutdownGuard {
  const exit = opts.exit ?? ((code: number) => process.exit(code));
  const signals = opts.signals ?? process;
  let first: StopSignal | undefined;
  let deadline: NodeJS.Timeout | undefined;
  const on = (signal: StopSignal): void => {
    if (first !== undefined) {
      opts.log(`${signal} while stopping: exiting now`);
      exit(SIGNAL_EXIT[signal]);
      return;
    }
    first = signal;
    deadline = setTimeout(() => {
      opts.log(`still not stopped ${opts.graceMs / 1000} s after ${signal}: exiting now`);
      exit(SIGNAL_EXIT[signal]);
    }, opts.graceMs);
    deadline.unref();
    opts.onSignal(signal);
  };
  const onInt = (): void => on("SIGINT");
  const onTerm = (): void => on("SIGTERM");
  signals.on("SIGINT", onInt);
  signals.on("SIGTERM", onTerm);
  return {
    signal: () => first,
    disarm() {
      clearTimeout(deadline);
      signals.off("SIGINT", onInt);
      signals.off("SIGTERM", onTerm);
    },
  };
}

/**
 * Runs `closers` in reverse start order; each may take what is left of `budgetMs` and is abandoned (reported) past
 * it, so one close that hangs (a broker that stopped answering) cannot hold the others or the process.
 */
export async function closeWithin(
  closers: { what: string; close: () => Promise<void> | void }[],
  budgetMs: number,
  log: (line: string) => void,
  now: () => number = () => performance.now(),
): Promise<{ abandoned: string[] }> {
  const end = now() + budgetMs;
  const abandoned: string[] = [];
  while (closers.length > 0) {
    const c = closers.pop()!;
    // Every closer gets a short chance even past the budget: publishing "offline" costs a socket write.
    const left = Math.max(100, end - now());
    let timer: NodeJS.Timeout | undefined;
    const timedOut = new Promise<"timeout">((resolve) => (timer = setTimeout(() => resolve("timeout"), left)));
    try {
      const r = await Promise.race([Promise.resolve().then(c.close), timedOut]);
      if (r === "timeout") {
        abandoned.push(c.what);
        log(`closing ${c.what}: no answer within ${Math.round(left)} ms, abandoned`);
      }
    } catch (err) {
      log(`closing ${c.what}: ${err instanceof Error ? err.message : String(err)}`);
    } finally {
      clearTimeout(timer);
    }
  }
  return { abandoned };
}
