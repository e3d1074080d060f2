import { describe, it, expect } from "vitest";
import { Progress, bar } from "../../runtime/progress.js";

function fake(isTTY: boolean) {
  const out: string[] = [];
  let t = 0;
  const stream = { isTTY, write: (s: string) => void out.push(s) };
  return { out, stream, advance: (ms: number) => void (t += ms), now: () => t };
}

describe("Progress", () => {
  it("redraws one line in place on a terminal, at most every redrawMs, and ends it with a newline", () => {
    const f = fake(true);
    const p = new Progress(f.stream, { now: f.now, redrawMs: 200 });
    p.update("a 1");
    f.advance(50);
    p.update("a 2"); // too soon: skipped
    f.advance(200);
    p.update("a 3");
    f.advance(1);
    p.update("a 4", true); // a finished phase is always drawn
    p.end();
    expect(f.out).toEqual(["\ra 1\x1b[K", "\ra 3\x1b[K", "\ra 4\x1b[K", "\n"]);
  });

  it("writes plain periodic lines (no carriage return, no escape codes) where the stream is not a terminal", () => {
    const f = fake(false);
    const p = new Progress(f.stream, { now: f.now, lineMs: 10_000 });
    for (let i = 0; i <= 100; i++) {
      p.update(`step ${i}`, i === 100);
      f.advance(250); // 25 s in all
    }
    p.end();
    const text = f.out.join("");
    expect(text).not.toMatch(/[\r\x1b]/);
    // The first at once, then one every 10 s (at 10 s and 20 s), and the last.
    expect(f.out).toEqual(["step 0\n", "step 40\n", "step 80\n", "step 100\n"]);
  });

  it("never repeats the same line in a log, and log() ends a drawn bar before its message", () => {
    const f = fake(false);
    const p = new Progress(f.stream, { now: f.now });
    p.update("done", true);
    p.update("done", true);
    expect(f.out).toEqual(["done\n"]);
    const g = fake(true);
    const q = new Progress(g.stream, { now: g.now });
    q.update("50%");
    q.log("a warning");
    expect(g.out).toEqual(["\r50%\x1b[K", "\n", "a warning\n"]);
  });

  it("takes a stream without isTTY (a plain writer) as not a terminal", () => {
    const out: string[] = [];
    const p = new Progress({ write: (s: string) => out.push(s) }, { now: () => 0 });
    expect(p.tty).toBe(false);
    p.update("x");
    expect(out).toEqual(["x\n"]);
  });

  it("draws bars within their width whatever the counts", () => {
    expect(bar(5, 10, 10)).toBe("[#####.....]");
    expect(bar(12, 10, 4)).toBe("[####]");
    expect(bar(1, 0, 4)).toBe("[....]");
  });
});
