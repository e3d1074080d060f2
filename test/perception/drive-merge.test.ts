import { describe, expect, it } from "vitest";
import { driveOrigin, driveSize, mergeDrive } from "../../perception/drive-merge.js";
import { makeDrive } from "./helpers.js";

// The k-way merge of a drive's channels (written for StrykerJS survivors: only used through frame building before).

describe("mergeDrive", () => {
  it("merges channels in time order; ties go to the earlier channel", () => {
    const d = makeDrive({ speed: [[0, 1], [2, 3]], accel: [[0, 10], [1, 11], [2, 12]] });
    expect([...mergeDrive(d)].map((s) => `${s.channel}@${s.t}=${s.value}`)).toEqual(["speed@0=1", "accel@0=10", "accel@1=11", "speed@2=3", "accel@2=12"]);
  });
  it("a non-finite stamp comes out as soon as it heads its channel", () => {
    const d = makeDrive({ speed: [[1, 1], [3, 3]], accel: [[NaN, 10], [2, 11]] });
    expect([...mergeDrive(d)].map((s) => `${s.channel}@${s.t}`)).toEqual(["accel@NaN", "speed@1", "accel@2", "speed@3"]);
  });
  it("an empty drive yields nothing", () => {
    expect([...mergeDrive(makeDrive({}))]).toEqual([]);
    expect([...mergeDrive(makeDrive({ speed: [] }))]).toEqual([]);
  });
});

describe("driveOrigin and driveSize", () => {
  it("the origin is the earliest first finite stamp of any channel; NaN stamps are skipped; 0 when there is none", () => {
    expect(driveOrigin(makeDrive({ speed: [[NaN, 0], [5, 1]], accel: [[7, 0]] }))).toBe(5);
    expect(driveOrigin(makeDrive({ speed: [[9, 0]], accel: [[NaN, 0], [NaN, 0], [4, 0]] }))).toBe(4);
    expect(driveOrigin(makeDrive({ speed: [[NaN, 0]] }))).toBe(0);
    expect(driveOrigin(makeDrive({}))).toBe(0);
  });
  it("the size counts every sample of every channel", () => {
    expect(driveSize(makeDrive({ speed: [[0, 0], [1, 0]], accel: [[0, 0], [NaN, 0], [2, 0]] }))).toBe(5);
    expect(driveSize(makeDrive({}))).toBe(0);
  });
});
