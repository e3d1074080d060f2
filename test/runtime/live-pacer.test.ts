// The command-rate bound (issue 8 #1: ~700 commands/s from a tick grid that stopped advancing) and the ack watch
// the MQTT sink uses to see a stalled broker (#4).
import { describe, expect, it } from "vitest";
import { AckWatch } from "../../bridges/mqtt/ack-watch.js";
import { CommandPacer } from "../../runtime/live/pacer.js";

describe("CommandPacer", () => {
  it("sends each tick of a sound 20 Hz grid, even one that fired late, and the on-time one after it", () => {
    const p = new CommandPacer({ periodMs: 50 });
    expect([0, 50, 100].map((due) => p.decide(due + 1, due))).toEqual(["send", "send", "send"]);
    expect(p.decide(150 + 80, 150)).toBe("send"); // 80 ms late: within max(2 periods, 100 ms)
    expect(p.decide(201, 200)).toBe("send");
  });

  it("a catch-up burst after a 2 s stall sends only the current ticks", () => {
    const p = new CommandPacer({ periodMs: 50 });
    const out = Array.from({ length: 41 }, (_, k) => p.decide(2000, k * 50));
    expect(out.filter((x) => x === "send")).toHaveLength(3); // due 1900, 1950, 2000
    expect(out.slice(0, 38).every((x) => x === "late")).toBe(true);
  });

  it("a grid that does not advance (T + dt == T at 1e300) sends once, however often it fires", () => {
    const p = new CommandPacer({ periodMs: 50 });
    const out = Array.from({ length: 700 }, (_, k) => p.decide(151 + k / 10, 151));
    expect(out.filter((x) => x === "send")).toHaveLength(1);
  });
});

describe("AckWatch", () => {
  it("an ack settles everything sent before it; a withdrawn publish stays until a later ack", () => {
    const w = new AckWatch();
    const a = w.sent(0);
    const b = w.sent(10);
    expect(w.waitingMs(100)).toBe(100);
    w.acked(b);
    expect(w.waitingMs(100)).toBe(0);
    w.sent(200); // never acked (withdrawn)
    expect(w.waitingMs(500)).toBe(300);
    const d = w.sent(510);
    w.acked(d);
    expect(w.waitingMs(600)).toBe(0);
    w.forget(a);
    w.sent(700);
    w.clear();
    expect(w.waitingMs(900)).toBe(0);
  });
});
