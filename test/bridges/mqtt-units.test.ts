import { describe, expect, it } from "vitest";
import { createServer, type AddressInfo } from "node:net";
import {
  backoffDelay,
  connectMqtt,
  BridgeInputError,
  decodeInbound,
  handleCommand,
  handleSample,
  mqttTopics,
  parseTopic,
  SampleGate,
  topicMatches,
} from "../../bridges/mqtt/index.js";
import { jsonCodec, msgpackCodec, codecByContentType, codecByName } from "../../bridges/codec/index.js";

const enc = new TextEncoder();
const ctx = { codec: msgpackCodec, maxPayloadBytes: 1024 };

function rejection(fn: () => unknown): BridgeInputError {
  try {
    fn();
  } catch (err) {
    if (err instanceof BridgeInputError) return err;
    throw err;
  }
  throw new Error("expected a BridgeInputError");
}

describe("mqtt topics", () => {
  it("builds and parses the stable topic scheme", () => {
    const t = mqttTopics("rav4");
    expect(t.sample("yaw_rate@odom")).toBe("lam/rav4/in/yaw_rate@odom");
    expect(t.samples).toBe("lam/rav4/in/+");
    expect(parseTopic("lam/rav4/in/speed")).toEqual({ kind: "sample", vehicle: "rav4", channel: "speed" });
    expect(parseTopic(t.status)).toEqual({ kind: "status", vehicle: "rav4" });
    expect(parseTopic("lam/rav4/in/a/b")).toBeUndefined();
    expect(parseTopic("other/rav4/status")).toBeUndefined();
  });
  it("refuses ids that would break the topic tree", () => {
    expect(() => mqttTopics("a/b")).toThrow(/vehicle id "a\/b"/);
    expect(() => mqttTopics("#")).toThrow(/cannot be an MQTT topic level/);
    expect(() => mqttTopics("v").sample("s+")).toThrow(/channel "s\+"/);
  });
  it("matches filters with + and #", () => {
    expect(topicMatches("lam/v/in/+", "lam/v/in/speed")).toBe(true);
    expect(topicMatches("lam/v/in/+", "lam/v/in/a/b")).toBe(false);
    expect(topicMatches("lam/#", "lam/v/status")).toBe(true);
    expect(topicMatches("lam/v/status", "lam/v/statuss")).toBe(false);
  });
});

describe("reconnect backoff", () => {
  it("doubles from the initial delay up to the cap, jitter taken off below it", () => {
    const opts = { initialMs: 100, maxMs: 1000, factor: 2, jitter: 0.5 };
    expect([0, 1, 2, 3, 4, 10].map((a) => backoffDelay(a, opts, () => 0))).toEqual([100, 200, 400, 800, 1000, 1000]);
    expect(backoffDelay(2, opts, () => 1)).toBe(200);
  });
});

describe("payload codecs", () => {
  it("msgpack keeps Float32Array a Float32Array, bit for bit", () => {
    const v = new Float32Array([1.5, -0.1, 3e-8, 65504.25]);
    const back = msgpackCodec.decode(msgpackCodec.encode({ t: 1, value: v })) as { value: unknown };
    expect(back.value).toBeInstanceOf(Float32Array);
    expect(Array.from(back.value as Float32Array)).toEqual(Array.from(v));
  });
  it("json writes typed arrays as plain arrays", () => {
    const text = new TextDecoder().decode(jsonCodec.encode({ mean: new Float32Array([0.5, 2]) }));
    expect(text).toBe('{"mean":[0.5,2]}');
  });
  it("names codecs by name and content type", () => {
    expect(codecByContentType("application/json; charset=utf-8")).toBe(jsonCodec);
    expect(codecByContentType("text/plain")).toBeUndefined();
    expect(() => codecByName("cbor")).toThrow(/unknown codec "cbor"/);
  });
});

describe("inbound decoding", () => {
  const topic = "lam/v/in/speed";
  it("honours the content type over the client's codec", () => {
    const s = handleSample(ctx, { topic, payload: jsonCodec.encode({ t: 1, value: 2 }), contentType: "application/json" }, "speed");
    expect(s).toEqual({ channel: "speed", t: 1, value: 2, source: "lam/v/in/speed" });
  });
  it.each([
    ["oversized", { topic, payload: new Uint8Array(2048) }, /2048 bytes exceeds the limit of 1024/],
    ["content_type", { topic, payload: enc.encode("1"), contentType: "text/csv" }, /content type "text\/csv"/],
    ["malformed", { topic, payload: msgpackCodec.encode({ t: 1, value: 2 }).subarray(0, 5) }, /not valid msgpack/],
    ["malformed", { topic, payload: new Uint8Array(0) }, /empty payload/],
    ["malformed", { topic, payload: enc.encode("{oops"), contentType: "application/json" }, /not valid json/],
  ] as const)("rejects %s payloads, naming the topic", (reason, msg, detail) => {
    const err = rejection(() => decodeInbound(msg, msgpackCodec, 1024));
    expect(err.reason).toBe(reason);
    expect(err.message).toMatch(/^lam\/v\/in\/speed: /);
    expect(err.message).toMatch(detail);
  });
  it.each([
    ["nonfinite", { t: 1, value: NaN }, "lam/v/in/speed@value"],
    ["nonfinite", { t: Infinity, value: 1 }, "lam/v/in/speed@t"],
    ["nonfinite", { t: 1, value: new Float32Array([1, NaN]) }, "lam/v/in/speed@value[1]"],
    ["wrong_type", { t: "1", value: 1 }, "lam/v/in/speed@t"],
    ["wrong_type", { value: 1 }, "lam/v/in/speed@t"],
    ["wrong_type", { t: 1, value: "fast" }, "lam/v/in/speed@value"],
    ["wrong_type", [1, 2], "lam/v/in/speed"],
  ] as const)("rejects %s sample fields: %j", (reason, body, where) => {
    const err = rejection(() => handleSample(ctx, { topic, payload: msgpackCodec.encode(body) }, "speed"));
    expect(err.reason).toBe(reason);
    expect(err.where).toBe(where);
  });
  it("never lets a non-finite command through", () => {
    const payload = msgpackCodec.encode({ t: 1, values: { steer_cmd: NaN }, mode: "model", limits: [] });
    const err = rejection(() => handleCommand(ctx, { topic: "lam/v/command", payload }));
    expect(err.where).toBe("lam/v/command@values.steer_cmd");
    expect(err.reason).toBe("nonfinite");
  });
});

describe("sample gate", () => {
  it("rejects unknown channels, and time stepping back beyond the tolerance, per channel", () => {
    const gate = new SampleGate({ backwardsToleranceS: 0.1 });
    expect(() => gate.checkChannel("yaw_rate@odom", "w")).not.toThrow();
    expect(rejection(() => gate.checkChannel("warp", "w")).reason).toBe("unknown_channel");
    gate.admit({ channel: "speed", t: 10, value: 1 }, "w");
    gate.admit({ channel: "speed", t: 9.95, value: 1 }, "w"); // jitter within tolerance
    gate.admit({ channel: "accel", t: 1, value: 1 }, "w"); // another channel has its own clock
    const late = rejection(() => gate.admit({ channel: "speed", t: 9, value: 1 }, "lam/v/in/speed"));
    expect(late.reason).toBe("late");
    expect(late.message).toMatch(/t=9 is 1.000 s before the channel's last t=10/);
  });
  it("takes an explicit channel list", () => {
    const gate = new SampleGate({ channels: ["speed"] });
    expect(rejection(() => gate.checkChannel("accel", "w")).message).toMatch(/not one of speed/);
  });
});

describe("connecting", () => {
  it("gives up after the connect timeout with an error naming the broker", async () => {
    // A port that was free a moment ago: nothing answers there.
    const probe = createServer();
    await new Promise<void>((r) => probe.listen(0, "127.0.0.1", r));
    const { port } = probe.address() as AddressInfo;
    await new Promise<void>((r) => probe.close(() => r()));
    const url = `mqtt://127.0.0.1:${port}`;
    const err = await connectMqtt({ url, vehicle: "v", connectTimeoutMs: 600, backoff: { initialMs: 50 } }).catch((e: unknown) => e as Error);
    expect((err as Error).message).toMatch(new RegExp(`MQTT broker ${url} did not accept a connection within 600 ms.*ECONNREFUSED`));
  });
});
