import { describe, expect, test } from "vitest";
import { RejectTally, sampleValidator } from "../../perception/index.js";

describe("sampleValidator", () => {
  const check = sampleValidator();

  test("passes a good scalar and a good vector sample, qualified channel names included", () => {
    expect(check({ channel: "speed", t: 1.5, value: 12 })).toBeUndefined();
    expect(check({ channel: "yaw_rate@odom", t: 0, value: -0.3 })).toBeUndefined();
    expect(check({ channel: "accel", t: 2, value: new Float32Array([1, -2]) })).toBeUndefined();
  });

  test.each([
    [null, "wrong_type", "null"],
    ["speed=3", "wrong_type", "not an object"],
    [{ channel: 7, t: 0, value: 1 }, "wrong_type", "channel=number 7"],
    [{ channel: "speed", t: "0", value: 1 }, "wrong_type", 't="0"'],
    [{ channel: "speed", t: NaN, value: 1 }, "wrong_type", "t=number NaN"],
    [{ channel: "speed", t: 1, value: "3" }, "wrong_type", 'value="3"'],
    [{ channel: "speed", t: 1, value: [1, 2] }, "wrong_type", "value=Array"],
    [{ channel: "speed", t: 1, value: NaN }, "nonfinite", "channel=speed t=1: value=NaN"],
    [{ channel: "speed", t: 1, value: -Infinity }, "nonfinite", "value=-Infinity"],
    [{ channel: "accel", t: 1, value: new Float32Array([0, NaN]) }, "nonfinite", "value[1]=NaN"],
    [{ channel: "speed", t: 1, value: 91 }, "out_of_range", "value=91 outside [-20, 90]"],
    [{ channel: "throttle", t: 1, value: -0.01 }, "out_of_range", "throttle"],
    [{ channel: "warp_drive", t: 1, value: 1 }, "unknown_channel", "channel=warp_drive t=1: not a known channel"],
  ])("%j is %s, and the message says where", (sample, reason, fragment) => {
    const r = check(sample);
    expect(r?.reason).toBe(reason);
    expect(r?.message).toContain(fragment);
  });

  test("an allow-list turns known but unlisted channels into unknown_channel", () => {
    const only = sampleValidator({ channels: ["speed"] });
    expect(only({ channel: "speed", t: 0, value: 1 })).toBeUndefined();
    expect(only({ channel: "steer", t: 0, value: 0.1 })).toMatchObject({ reason: "unknown_channel", message: expect.stringContaining("not in the allowed") });
  });
});

describe("RejectTally", () => {
  test("counts by channel and reason, garbage under '?', and calls onReject with the message", () => {
    const seen: string[] = [];
    const tally = new RejectTally((_s, reason, message) => seen.push(`${reason}: ${message}`));
    tally.add({ channel: "speed", t: 0, value: NaN }, "nonfinite", "m1");
    tally.add({ channel: "speed", t: 1, value: NaN }, "nonfinite", "m2");
    tally.add({ channel: "speed", t: 1, value: 2 }, "late", "m3");
    tally.add(42, "wrong_type", "m4");
    expect(tally.counts).toEqual({ speed: { nonfinite: 2, late: 1 }, "?": { wrong_type: 1 } });
    expect(tally.total).toBe(4);
    expect(tally.count("nonfinite")).toBe(2);
    expect(seen).toEqual(["nonfinite: m1", "nonfinite: m2", "late: m3", "wrong_type: m4"]);
  });
});
