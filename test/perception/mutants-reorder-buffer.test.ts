// ReorderBuffer behaviour that StrykerJS found unchecked (docs/mutation.md, "perception/reorder-buffer.ts").
import { describe, expect, test } from "vitest";
import { ReorderBuffer, type Sample } from "../../perception/index.js";

const s = (channel: string, t: number, value = t): Sample => ({ channel, t, value });

describe("ReorderBuffer (mutation survivors)", () => {
  test("a window of 0 is allowed: nothing is held back, an older stamp is late", () => {
    const buf = new ReorderBuffer(0);
    const out: Sample[] = [];
    expect(buf.push(s("a", 1), out)).toBeUndefined();
    expect(out.map((x) => x.t)).toEqual([1]);
    expect(buf.size).toBe(0);
    expect(buf.push(s("a", 0.5), out)?.reason).toBe("late");
  });

  test("a duplicate of the channel's newest stamp is refused also after an older sample arrived in between", () => {
    const buf = new ReorderBuffer(10);
    const out: Sample[] = [];
    expect(buf.push(s("a", 1, 1), out)).toBeUndefined();
    expect(buf.push(s("a", 0.5, 0.5), out)).toBeUndefined();
    expect(buf.push(s("a", 1, 99), out)?.reason).toBe("duplicate");
    buf.flush(out);
    expect(out.map((x) => [x.t, x.value])).toEqual([
      [0.5, 0.5],
      [1, 1],
    ]);
  });

  test("rejection messages name the channel, the stamp and, for a late one, the watermark and window", () => {
    const buf = new ReorderBuffer(0.25);
    const out: Sample[] = [];
    expect(buf.push(s("speed", NaN), out)?.message).toBe("channel=speed: t=NaN is not a finite number");
    buf.push(s("speed", 2), out);
    expect(buf.push(s("speed", 1.5), out)?.message).toBe("channel=speed t=1.5: older than watermark 1.75 (window 0.25 s)");
    expect(buf.push(s("speed", 2), out)?.message).toBe("channel=speed t=2: a sample with this time was already received");
  });
});
