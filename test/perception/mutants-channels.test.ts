// Tests written for perception/channels.ts's surviving mutants (docs/mutation.md, "Survivors by file").
import { describe, expect, test } from "vitest";
import { CHANNELS, baseChannel, channelInfo, frameChannel, isKnownChannel } from "../../perception/index.js";

describe("channel registry", () => {
  test("the base of a qualified name is the part before '@'; a bare qualifier has an empty base and is unknown", () => {
    expect(baseChannel("yaw_rate@odom")).toBe("yaw_rate");
    expect(baseChannel("speed")).toBe("speed");
    expect(baseChannel("@odom")).toBe("");
    expect(isKnownChannel("@speed")).toBe(false);
  });

  test("an unknown channel is refused, naming it and listing every known one", () => {
    expect(() => channelInfo("velocity")).toThrow(`unknown channel "velocity" (known: ${[...CHANNELS.keys()].join(", ")})`);
    expect(channelInfo("yaw_rate@odom").unit).toBe("rad/s");
  });

  test("frameChannel takes the registry's interpolation and staleness unless overridden", () => {
    expect(frameChannel("speed")).toEqual({ name: "speed", interp: "linear", staleAfter: 0.5 });
    expect(frameChannel("speed", { interp: "hold" })).toEqual({ name: "speed", interp: "hold", staleAfter: 0.5 });
    expect(frameChannel("brake", { staleAfter: 2 })).toEqual({ name: "brake", interp: "hold", staleAfter: 2 });
  });
});
