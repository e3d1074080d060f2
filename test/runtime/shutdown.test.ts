import { EventEmitter } from "node:events";
import { afterEach, describe, expect, it, vi } from "vitest";
import { armShutdown, closeWithin } from "../../runtime/shutdown.js";

afterEach(() => {
  vi.useRealTimers();
});

function rig() {
  const signals = new EventEmitter();
  const exits: number[] = [];
  const seen: string[] = [];
  const lines: string[] = [];
  const guard = armShutdown({
    graceMs: 5000,
    onSignal: (s) => seen.push(s),
    log: (l) => lines.push(l),
    exit: (code) => void exits.push(code),
    signals: signals as unknown as NodeJS.Process,
  });
  return { signals, exits, seen, lines, guard };
}

describe("armShutdown", () => {
  it("first signal starts the stop; a SIGTERM after a SIGINT exits at once with 143", () => {
    const r = rig();
    r.signals.emit("SIGINT");
    expect(r.seen).toEqual(["SIGINT"]);
    expect(r.exits).toEqual([]);
    r.signals.emit("SIGTERM");
    expect(r.exits).toEqual([143]);
    expect(r.seen).toEqual(["SIGINT"]);
    expect(r.lines).toEqual(["SIGTERM while stopping: exiting now"]);
    r.guard.disarm();
  });

  it("a stop that overruns the grace period ends the process (the timer is unref'd: it keeps nothing alive)", () => {
    vi.useFakeTimers();
    const r = rig();
    r.signals.emit("SIGTERM");
    vi.advanceTimersByTime(4999);
    expect(r.exits).toEqual([]);
    vi.advanceTimersByTime(1);
    expect(r.exits).toEqual([143]);
    expect(r.lines).toEqual(["still not stopped 5 s after SIGTERM: exiting now"]);
  });

  it("disarm removes both handlers and the deadline", () => {
    vi.useFakeTimers();
    const r = rig();
    expect(r.signals.listenerCount("SIGINT")).toBe(1);
    expect(r.signals.listenerCount("SIGTERM")).toBe(1);
    r.signals.emit("SIGINT");
    r.guard.disarm();
    vi.advanceTimersByTime(10_000);
    expect(r.exits).toEqual([]);
    expect(r.signals.listenerCount("SIGINT")).toBe(0);
    expect(r.signals.listenerCount("SIGTERM")).toBe(0);
    expect(r.guard.signal()).toBe("SIGINT");
  });
});

describe("closeWithin", () => {
  it("closes in reverse order; a close that hangs is abandoned and the ones after it still run", async () => {
    const done: string[] = [];
    const lines: string[] = [];
    const closers = [
      { what: "broker", close: () => void done.push("broker") },
      { what: "sink", close: () => new Promise<void>(() => undefined) },
      { what: "failing", close: () => Promise.reject(new Error("boom")) },
      { what: "demo", close: async () => void done.push("demo") },
    ];
    const t0 = performance.now();
    const r = await closeWithin(closers, 300, (l) => lines.push(l));
    expect(performance.now() - t0).toBeLessThan(1000);
    expect(done).toEqual(["demo", "broker"]);
    expect(r.abandoned).toEqual(["sink"]);
    expect(lines[0]).toBe("closing failing: boom");
    expect(lines[1]).toMatch(/^closing sink: no answer within \d+ ms, abandoned$/);
    expect(closers).toHaveLength(0);
  });
});
