// Issue 8 #2 and #6 at the gate every MQTT and ROS 2 sample passes: one stamp far ahead must not make the channel's
// honest samples "late", and a flood of new channel names must not grow its state.
import { describe, expect, it } from "vitest";
import { BridgeInputError } from "../../bridges/codec/live.js";
import { SampleGate } from "../../bridges/codec/sample-gate.js";

function reason(fn: () => void): string | undefined {
  try {
    fn();
    return undefined;
  } catch (e) {
    if (e instanceof BridgeInputError) return e.reason;
    throw e;
  }
}

describe("SampleGate under hostile stamps and names", () => {
  it("#2: one sample an hour ahead is passed on (the node's clock judges it) but does not become the channel's time", () => {
    const gate = new SampleGate();
    for (let i = 0; i < 10; i++) gate.admit({ channel: "speed", t: 100 + i * 0.02, value: 1 }, "w");
    gate.admit({ channel: "speed", t: 3700, value: 1 }, "w");
    const reasons = Array.from({ length: 50 }, (_, i) => reason(() => gate.admit({ channel: "speed", t: 100.2 + i * 0.02, value: 1 }, "w")));
    expect(reasons.every((r) => r === undefined)).toBe(true);
  });

  it("#1/#2: a stream of far-future stamps interleaved with the honest ones never becomes the channel's time; 1e300 is no time at all", () => {
    const gate = new SampleGate();
    const honest: (string | undefined)[] = [];
    for (let i = 0; i < 60; i++) {
      honest.push(reason(() => gate.admit({ channel: "speed", t: 100 + i * 0.02, value: 1 }, "w")));
      if (i % 2 === 0) expect(reason(() => gate.admit({ channel: "speed", t: 3700 + i * 0.02, value: 1 }, "w"))).toBeUndefined();
    }
    expect(honest.every((r) => r === undefined)).toBe(true);
    expect(reason(() => gate.admit({ channel: "speed", t: 1e300, value: 1 }, "w"))).toBe("clock");
  });

  it("a real forward jump (a sensor back after a gap) is taken on the next sample that confirms it", () => {
    const gate = new SampleGate();
    gate.admit({ channel: "speed", t: 100, value: 1 }, "w");
    gate.admit({ channel: "speed", t: 110, value: 1 }, "w");
    gate.admit({ channel: "speed", t: 110.02, value: 1 }, "w");
    expect(reason(() => gate.admit({ channel: "speed", t: 100.5, value: 1 }, "w"))).toBe("late");
  });

  it("a channel whose first sample was far ahead recovers after a few lates instead of never", () => {
    const gate = new SampleGate({ resyncAfter: 3 });
    gate.admit({ channel: "speed", t: 3700, value: 1 }, "w");
    const reasons = Array.from({ length: 10 }, (_, i) => reason(() => gate.admit({ channel: "speed", t: 100 + i * 0.02, value: 1 }, "w")));
    expect(reasons).toEqual(["late", "late", undefined, undefined, undefined, undefined, undefined, undefined, undefined, undefined]);
  });

  it("#6: 20k new `speed@<x>` names: state stays at the cap, the rest are channel_cap; reserved channels always have room", () => {
    const gate = new SampleGate({ maxChannels: 64, reserved: ["speed", "accel"] });
    let capped = 0;
    for (let i = 0; i < 20_000; i++) {
      const r = reason(() => {
        gate.checkChannel(`speed@x${i}`, "w");
        gate.admit({ channel: `speed@x${i}`, t: i, value: 1 }, "w");
      });
      if (r === "channel_cap") capped++;
    }
    expect(capped).toBe(20_000 - 64);
    expect(gate.size).toBe(64);
    for (const ch of ["speed", "accel"]) {
      expect(reason(() => gate.checkChannel(ch, "w"))).toBeUndefined();
      expect(reason(() => gate.admit({ channel: ch, t: 1, value: 1 }, "w"))).toBeUndefined();
    }
    expect(reason(() => gate.checkChannel("yaw_rate", "w"))).toBe("channel_cap");
  });
});
