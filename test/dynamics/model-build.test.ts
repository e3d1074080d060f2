import { describe, expect, it } from "vitest";
import * as tf from "@tensorflow/tfjs";
import { Validity, type Frame } from "../../perception/types.js";
import {
  buildModel,
  channelIndex,
  decodeHead,
  encodeWindow,
  headContext,
  lstmLayers,
  PAD_VALUE,
  type HeadSpec,
} from "../../dynamics/model.js";
import type { ModelSpec } from "../../dynamics/spec.js";

const spec: ModelSpec = { features: ["speed", "steer_cmd"], actions: ["steer_cmd"], rate: 20, history: 8, horizon: 3, layers: 2, units: 6 };
const norm = { channels: ["speed", "steer_cmd"], mean: [1, 0], std: [2, 0.1] };

function frame(t: number, speed: number, steer: number, valid = [1, 1]): Frame {
  return { t, values: Float32Array.from([speed, steer]), valid: Uint8Array.from(valid) };
}

describe("dynamics/model", () => {
  it("builds LSTM layers with sigmoid recurrent activation and the head size", () => {
    const m = buildModel(spec, { seed: 3 });
    const lstms = lstmLayers(m);
    expect(lstms).toHaveLength(2);
    for (const l of lstms) expect((l.getConfig() as { recurrentActivation: string }).recurrentActivation).toBe("sigmoid");
    expect(m.outputs[0].shape).toEqual([null, spec.horizon * spec.actions.length * 2]);
    m.dispose();
  });

  it("same seed gives the same initial weights, another seed does not", () => {
    const w = (s: number) => {
      const m = buildModel(spec, { seed: s });
      const v = m.getWeights().map((t) => Array.from(t.dataSync()));
      m.dispose();
      return v;
    };
    expect(w(5)).toEqual(w(5));
    expect(w(5)).not.toEqual(w(6));
  });

  it("a front-padded window predicts exactly what the bare short window does", () => {
    const m = buildModel(spec, { seed: 1 });
    const frames = Array.from({ length: 5 }, (_, i) => frame(i / 20, 1 + i * 0.3, Math.sin(i) * 0.2));
    const idx = channelIndex(["speed", "steer_cmd"], spec.features);
    const padded = new Float32Array(spec.history * 2);
    encodeWindow(frames, 5, 5, spec.history, idx, norm, padded);
    expect(padded[0]).toBe(PAD_VALUE);
    const bare = new Float32Array(5 * 2);
    encodeWindow(frames, 5, 5, 5, idx, norm, bare);
    const a = (m.predict(tf.tensor3d(padded, [1, spec.history, 2])) as tf.Tensor).dataSync();
    const b = (m.predict(tf.tensor3d(bare, [1, 5, 2])) as tf.Tensor).dataSync();
    expect(Array.from(a)).toEqual(Array.from(b));
    m.dispose();
  });

  it("Missing and NaN features encode as 0, never NaN", () => {
    const idx = channelIndex(["speed", "steer_cmd"], spec.features);
    const out = new Float32Array(4);
    encodeWindow([frame(0, NaN, 0.1), frame(0.05, 5, 9, [Validity.Missing, Validity.Missing])], 2, 2, 2, idx, norm, out);
    expect(Array.from(out)).toEqual([0, Math.fround(1), 0, 0]);
  });

  it("channelIndex names a channel the frames lack", () => {
    expect(() => channelIndex(["speed"], ["speed", "yaw_rate"])).toThrow(/"yaw_rate" is not in the frames/);
  });

  it("decodeHead: a zero head is hold-last; spread is softplus(raw)+eps in action scale", () => {
    const head: HeadSpec = { kind: "residual-hold", scale: [0.5], fallback: [0], eps: 1e-3 };
    const last = headContext(frame(0, 1, 0.2), channelIndex(["speed", "steer_cmd"], ["steer_cmd"]), head);
    const d = decodeHead(new Float32Array(6), last, head, 3);
    expect(Array.from(d.mean)).toEqual([0.2, 0.2, 0.2].map(Math.fround));
    expect(d.std[0]).toBeCloseTo((Math.log(2) + 1e-3) * 0.5, 6);
    const d2 = decodeHead([2, 0, 0, 0, -2, 0], last, head, 3);
    expect(d2.mean[0]).toBeCloseTo(1.2, 6);
    expect(d2.mean[2]).toBeCloseTo(-0.8, 6);
    expect(() => decodeHead([1, 2], last, head, 3)).toThrow(/expected horizon 3/);
  });

  it("headContext falls back to the training mean for a Missing action", () => {
    const head: HeadSpec = { kind: "residual-hold", scale: [1], fallback: [0.05], eps: 1e-3 };
    const last = headContext(frame(0, 1, 0.3, [1, Validity.Missing]), Int32Array.from([1]), head);
    expect(last[0]).toBeCloseTo(0.05, 7);
  });
});
