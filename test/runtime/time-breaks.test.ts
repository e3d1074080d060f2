// Issue 8 #3 and #2 (files): time gaps cost no memory in proportion to their span, and a drive whose time is broken
// fails its replay verdict instead of "passed: true" over 95 % fallback ticks.
import { cpSync, mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { loadDrive } from "../../bridges/drive.js";
import { holdLast } from "../../dynamics/baselines/hold-last.js";
import { frameChannel } from "../../perception/channels.js";
import { framesFromDrive } from "../../perception/frames-from-drive.js";
import { summariseDrive } from "../../perception/drive-summary.js";
import { policyPreset } from "../../policy/presets.js";
import { replayDrive, replayFrameSpec } from "../../sim/replay/engine.js";
import { buildReplayReport } from "../../sim/replay/report.js";
import { main } from "../../runtime/main.js";
import { DATA, ROBOT_FRAMES, ROBOT_SPEC } from "./live-support.js";

async function lam(...argv: string[]) {
  const out: string[] = [];
  const err: string[] = [];
  const code = await main(argv, { stdout: { write: (s: string) => out.push(s) }, stderr: { write: (s: string) => err.push(s) } });
  return { code, out: out.join(""), err: err.join("") };
}

function csv(rows: string): string {
  const dir = mkdtempSync(join(tmpdir(), "lam-time-"));
  const file = join(dir, "u.csv");
  writeFileSync(file, rows);
  return file;
}

describe("#3: a time gap costs no memory in proportion to its span", () => {
  for (const last of ["20000", "1700000000", "1e308"]) {
    it(`a 3-row CSV whose last row is at t=${last}: bounded frames, the break reported`, async () => {
      const file = csv(`t,speed\n0.0,1.0\n0.05,1.1\n${last},1.0\n`);
      const drive = await loadDrive(file, { map: "generic" });
      const { frames, breaks } = framesFromDrive(drive, { rate: 20, channels: [frameChannel("speed")] });
      expect(frames.length).toBeLessThan(1000);
      const summary = summariseDrive(drive);
      if (last === "1e308") {
        expect(summary.implausible_t).toBe(1);
        expect(summary.span_s).toBeCloseTo(0.05, 6);
      } else {
        expect(breaks).toEqual([{ from: 0.05, to: Number(last) }]);
        expect(summary.time_breaks).toEqual([{ from: 0.05, to: Number(last), gap_s: Number(last) - 0.05 }]);
      }
      const r = await lam("inspect", file, "--map", "generic");
      expect(r.code, r.err).toBe(0);
      expect(r.out).toMatch(/time is broken/);
      const j = JSON.parse((await lam("inspect", file, "--map", "generic", "--json")).out) as { frames: { frames: number } };
      expect(j.frames.frames).toBeLessThan(1000);
    });
  }
});

describe("#2 (files): one CSV row with ns=999999999999 in the real DS1 drive", () => {
  const spec = replayFrameSpec(ROBOT_FRAMES);
  const replay = async (dir: string) => {
    const drive = await loadDrive(dir);
    const predictor = () => holdLast({ frameChannels: spec.channels.map((c) => c.name), actions: ROBOT_SPEC.actions, rate: spec.rate, horizon: ROBOT_SPEC.horizon });
    const outcome = replayDrive(drive, { frameSpec: spec, predictor: predictor(), policy: policyPreset("robot-1-10"), actions: ROBOT_SPEC.actions });
    return { drive, outcome, scenario: buildReplayReport([{ outcome }]).report.scenarios[0]! };
  };

  it("stretches the drive by 1000 s: inspect flags the break, frames stay bounded, and the replay fails naming the broken time", async () => {
    const dir = mkdtempSync(join(tmpdir(), "lam-ds1-"));
    cpSync(join(DATA, "f1tenth/DS1"), dir, { recursive: true });
    const odom = join(dir, "odomData.csv");
    const lines = readFileSync(odom, "utf8").split("\n");
    const cells = lines[300]!.split(",");
    cells[2] = "999999999999";
    lines[300] = cells.join(",");
    writeFileSync(odom, lines.join("\n"));

    const { drive, outcome, scenario } = await replay(dir);
    expect(summariseDrive(drive).time_breaks.length).toBe(1);
    // 43 s of drive, a break, and one sample ~1000 s on: not 20 000 frames of Missing.
    expect(outcome.detail.frames).toBeLessThan(43 * 20 + 10 * 20 + 50);
    expect(outcome.detail.time_breaks).toHaveLength(1);
    expect(scenario.passed).toBe(false);
    expect(scenario.failed).toContain("time_breaks");
    expect(outcome.detail.notes.join(" ")).toMatch(/time is broken/);
  });

  it("the untouched drive still passes (the criterion does not fail sound drives)", async () => {
    const { outcome, scenario } = await replay(join(DATA, "f1tenth/DS1"));
    expect(outcome.detail.time_breaks).toEqual([]);
    expect(scenario.passed).toBe(true);
  });
});
