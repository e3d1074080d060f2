import { describe, expect, it } from "vitest";
import { readPrediction, showValue, isFiniteNumber } from "../../policy/index.js";

// readPrediction on its own: every way an ActionSequence from outside can be wrong gets its own fault naming the
// offending value, and the acted row is interpolated between steps (written for StrykerJS survivors).

const CH = ["steer_cmd", "accel_cmd"] as const;
const seq = (over: Record<string, unknown> = {}) => ({
  t0: 8,
  dt: 0.25, // exact in binary: steps land on whole numbers
  channels: ["steer_cmd", "accel_cmd"],
  mean: new Float32Array([0, 1, 0.5, 2, 1, 4]),
  model: "m",
  ...over,
});

describe("readPrediction rejects, naming what is wrong", () => {
  const cases: [string, unknown, { reason: string; detail: string }][] = [
    ["null", null, { reason: "bad_prediction", detail: "prediction = null: not an ActionSequence" }],
    ["a string", "x", { reason: "bad_prediction", detail: 'prediction = "x": not an ActionSequence' }],
    ["no channels", seq({ channels: undefined }), { reason: "bad_prediction", detail: "prediction.channels = undefined: not a non-empty list of names" }],
    ["empty channels", seq({ channels: [] }), { reason: "bad_prediction", detail: "prediction.channels = array: not a non-empty list of names" }],
    ["channel names not strings", seq({ channels: ["steer_cmd", 3] }), { reason: "bad_prediction", detail: "prediction.channels = array: not a non-empty list of names" }],
    ["mean not an array", seq({ mean: "1,2" }), { reason: "bad_prediction", detail: 'prediction.mean = "1,2": not an array' }],
    ["mean a DataView", seq({ mean: new DataView(new ArrayBuffer(8)) }), { reason: "bad_prediction", detail: "prediction.mean = object: not an array" }],
    ["mean empty", seq({ mean: [] }), { reason: "bad_prediction", detail: "prediction.mean has 0 values, not a positive multiple of 2 channels" }],
    ["mean ragged", seq({ mean: [1, 2, 3] }), { reason: "bad_prediction", detail: "prediction.mean has 3 values, not a positive multiple of 2 channels" }],
    ["std of another length", seq({ std: [1, 1] }), { reason: "bad_prediction", detail: "prediction.std: not an array of 6 values" }],
    ["std not an array", seq({ std: 1 }), { reason: "bad_prediction", detail: "prediction.std: not an array of 6 values" }],
    ["t0 missing", seq({ t0: undefined }), { reason: "bad_prediction", detail: "prediction.t0 = undefined" }],
    ["t0 infinite", seq({ t0: Infinity }), { reason: "bad_prediction", detail: "prediction.t0 = Infinity" }],
    ["dt zero", seq({ dt: 0 }), { reason: "bad_prediction", detail: "prediction.dt = 0: must be > 0" }],
    ["dt negative", seq({ dt: -0.1 }), { reason: "bad_prediction", detail: "prediction.dt = -0.1: must be > 0" }],
    ["dt NaN", seq({ dt: NaN }), { reason: "bad_prediction", detail: "prediction.dt = NaN: must be > 0" }],
    ["a mean value not a number", seq({ mean: [0, 1, "2", 3] }), { reason: "bad_prediction", detail: 'prediction.mean[2] = "2": not a number' }],
    ["a mean value NaN", seq({ mean: [0, 1, 2, NaN] }), { reason: "nonfinite_prediction", detail: "prediction.mean[3] = NaN" }],
    ["a std value not a number", seq({ std: [0, 1, 0, null, 0, 0] }), { reason: "bad_prediction", detail: "prediction.std[3] = null: not a number" }],
    ["a std value infinite", seq({ std: [0, 0, 0, 0, -Infinity, 0] }), { reason: "nonfinite_prediction", detail: "prediction.std[4] = -Infinity" }],
    ["a std value negative", seq({ std: [0, 0, 0, 0, 0, -0.5] }), { reason: "bad_prediction", detail: "prediction.std[5] = -0.5: negative" }],
    ["a channel missing", seq({ channels: ["steer_cmd", "speed_cmd"] }), { reason: "missing_channel", detail: 'prediction from "m" lacks accel_cmd (has steer_cmd, speed_cmd)' }],
  ];
  it.each(cases)("%s", (_, pred, fault) => {
    expect(readPrediction(pred, CH, 8)).toEqual(fault);
  });

  it("a std of zeros is accepted (zero spread is not negative)", () => {
    expect(readPrediction(seq({ std: [0, 0, 0, 0, 0, 0] }), CH, 8)).toMatchObject({ std: { steer_cmd: 0, accel_cmd: 0 } });
  });
});

describe("readPrediction reads the acted step", () => {
  it("at t0: the first row, exactly", () => {
    expect(readPrediction(seq(), CH, 8)).toEqual({ step: 0, mean: { steer_cmd: 0, accel_cmd: 1 }, std: null });
  });
  it("between rows: linear in time, for the mean and the std", () => {
    const r = readPrediction(seq({ std: [0, 0.2, 0.1, 0.4, 0.3, 0.6] }), CH, 8.375);
    if ("reason" in r) throw new Error(r.detail);
    expect(r.step).toBeCloseTo(1.5, 9);
    expect(r.mean.steer_cmd).toBeCloseTo(0.75, 6);
    expect(r.mean.accel_cmd).toBeCloseTo(3, 6);
    expect(r.std!.steer_cmd).toBeCloseTo(0.2, 6);
    expect(r.std!.accel_cmd).toBeCloseTo(0.5, 6);
  });
  it("the last row, and a hair past it, read the last row; further on the prediction is stale", () => {
    expect(readPrediction(seq(), CH, 8.5)).toEqual({ step: 2, mean: { steer_cmd: 1, accel_cmd: 4 }, std: null });
    expect(readPrediction(seq(), CH, 8.5 + 1e-12)).toMatchObject({ mean: { steer_cmd: 1, accel_cmd: 4 }, std: null });
    expect(readPrediction(seq(), CH, 8.5 + 1e-6)).toEqual({ reason: "stale_prediction", detail: "prediction t0=8 covers 3 steps of 0.25 s; asked for t=8.500001" });
  });
  it("up to a step before t0 reads the first row; more than a step before it is another timeline", () => {
    expect(readPrediction(seq(), CH, 7.875)).toEqual({ step: 0, mean: { steer_cmd: 0, accel_cmd: 1 }, std: null });
    expect(readPrediction(seq(), CH, 7.75)).toEqual({ step: 0, mean: { steer_cmd: 0, accel_cmd: 1 }, std: null });
    expect(readPrediction(seq(), CH, 7.75 - 1e-6)).toEqual({ reason: "stale_prediction", detail: "prediction t0=8 lies ahead of the tick t=7.749999" });
  });
  it("channels are read by name, in the order the policy asks for them", () => {
    const r = readPrediction(seq({ channels: ["accel_cmd", "steer_cmd"] }), CH, 8);
    expect(r).toEqual({ step: 0, mean: { steer_cmd: 1, accel_cmd: 0 }, std: null });
  });
  it("a one-row prediction is read at its row whatever the fraction", () => {
    expect(readPrediction(seq({ mean: [0.3, 0.7] }), CH, 8)).toEqual({ step: 0, mean: { steer_cmd: 0.3, accel_cmd: 0.7 }, std: null });
    const r = readPrediction(seq({ mean: [0.3, 0.7] }), CH, 8 - 0.125);
    expect(r).toEqual({ step: 0, mean: { steer_cmd: 0.3, accel_cmd: 0.7 }, std: null });
  });
  it("a step count that overflows (a denormal dt) is read as the first row, not as stale", () => {
    expect(readPrediction(seq({ dt: 5e-324 }), CH, 9)).toEqual({ step: 0, mean: { steer_cmd: 0, accel_cmd: 1 }, std: null });
  });
  it("a plain number array works as well as a typed one", () => {
    expect(readPrediction(seq({ mean: [0, 1, 0.5, 2] }), CH, 8.25)).toEqual({ step: 1, mean: { steer_cmd: 0.5, accel_cmd: 2 }, std: null });
  });
});

describe("showValue and isFiniteNumber", () => {
  it("render each kind of offending value short and log-safe", () => {
    expect([1.5, NaN, 10n, true, null, undefined].map(showValue)).toEqual(["1.5", "NaN", "10", "true", "null", "undefined"]);
    expect(showValue("a\nb")).toBe('"a\\nb"');
    expect(showValue("x".repeat(80))).toBe(JSON.stringify("x".repeat(80)));
    expect(showValue("x".repeat(81))).toBe(JSON.stringify(`${"x".repeat(77)}...`));
    expect([[1], {}, () => 0, Symbol("s")].map(showValue)).toEqual(["array", "object", "function", "symbol"]);
  });
  it("only finite numbers are finite numbers", () => {
    expect([0, -1.5, 1e308].every(isFiniteNumber)).toBe(true);
    expect([NaN, Infinity, "1", null, undefined, 1n].some(isFiniteNumber)).toBe(false);
  });
});
