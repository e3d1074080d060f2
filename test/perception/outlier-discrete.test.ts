import { describe, expect, test } from "vitest";
import { OutlierFilter, type Sample } from "../../perception/index.js";
import { CHANNELS } from "../../perception/channels.js";
import { isNoisySensor } from "../../perception/outlier-filter.js";

function feed(filter: OutlierFilter, channel: string, values: readonly number[], t0 = 0): string[] {
  return values.map((value, i) => {
    const s: Sample = { channel, t: t0 + i * 0.01, value };
    return filter.check(s)?.reason ?? "ok";
  });
}

describe("discrete driver inputs are not judged as noisy sensors", () => {
  test("a throttle pedal stomped from rest to 80% is kept at once, every sample", () => {
    const f = new OutlierFilter();
    const rest = Array.from({ length: 30 }, (_, i) => 0.001 * (i % 2));
    const pressed = Array(10).fill(0.8);
    // A linear sensor channel with the same numbers loses the first samples of the step (the filter's job).
    const sensor = new OutlierFilter();
    feed(sensor, "steer", rest);
    expect(feed(sensor, "steer", pressed, 0.3)).toContain("outlier");
    feed(f, "throttle", rest);
    expect(feed(f, "throttle", pressed, 0.3)).toEqual(pressed.map(() => "ok"));
    // And released again.
    expect(feed(f, "throttle", [0, 0, 0], 0.4)).toEqual(["ok", "ok", "ok"]);
  });

  test("second sources of a discrete channel (throttle@can) are exempt too", () => {
    const f = new OutlierFilter();
    feed(f, "throttle@can", Array(30).fill(0));
    expect(feed(f, "throttle@can", [1, 1], 0.3)).toEqual(["ok", "ok"]);
  });

  test("the registry marks pedals, buttons, gear, cruise and commands discrete, and sensors not", () => {
    for (const name of ["throttle", "brake", "gear", "cruise_active", "steer_cmd", "accel_cmd", "speed_cmd", "yaw_rate_cmd"]) {
      expect(CHANNELS.get(name)?.discrete, name).toBe(true);
      expect(isNoisySensor(name), name).toBe(false);
    }
    for (const name of ["speed", "accel", "yaw_rate", "steer", "lat_accel"]) expect(isNoisySensor(name), name).toBe(true);
  });
});
