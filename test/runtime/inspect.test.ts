import { mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { describe, expect, it } from "vitest";
import { main } from "../../runtime/main.js";

const DATA = resolve(__dirname, "../../../shared/data");

async function lam(...argv: string[]) {
  const out: string[] = [];
  const err: string[] = [];
  const code = await main(argv, { stdout: { write: (s: string) => out.push(s) }, stderr: { write: (s: string) => err.push(s) } });
  return { code, out: out.join(""), err: err.join("") };
}

interface InspectJson {
  span_s: number;
  channels: { name: string; unit: string; samples: number; rate_hz: number | null; gaps: number; min: number | null; max: number | null; rejected: Record<string, number> }[];
  frames: { rate_hz: number; frames: number; channels: Record<string, { fresh: number; held: number; missing: number; nan_in_valid: number }> };
}

describe("lam inspect on the real drives", () => {
  const cases: [string, number, string[]][] = [
    ["f1tenth/DS1", 43, ["speed", "speed_cmd", "steer_cmd", "yaw_rate"]],
    ["comma2k19-rav4", 60, ["speed", "steer", "accel_cmd", "yaw_rate"]],
    ["husky/test1_ros2.mcap", 395, ["speed", "yaw_rate", "lat", "lon"]],
    ["husky/test1.bag", 395, ["speed", "yaw_rate", "lat", "lon"]],
  ];
  for (const [rel, span, must] of cases) {
    it(`${rel}: JSON contract, and 20 Hz frames with no NaN in any valid channel`, async () => {
      const r = await lam("inspect", join(DATA, rel), "--json");
      expect(r.code, r.err).toBe(0);
      const j = JSON.parse(r.out) as InspectJson;
      expect(j.span_s).toBeGreaterThan(span - 1.5);
      expect(j.span_s).toBeLessThan(span + 1.5);
      const names = j.channels.map((c) => c.name);
      for (const m of must) expect(names).toContain(m);
      for (const c of j.channels) {
        expect(Object.keys(c).sort()).toEqual(expect.arrayContaining(["name", "unit", "samples", "rate_hz", "gaps", "min", "max", "rejected"]));
      }
      expect(j.frames.rate_hz).toBe(20);
      expect(j.frames.frames).toBeGreaterThan(20 * (span - 5) * 0.5);
      for (const [name, s] of Object.entries(j.frames.channels)) {
        expect(s.nan_in_valid, name).toBe(0);
        expect(s.fresh + s.held + s.missing).toBeCloseTo(1, 3);
      }
      // The main signals are usable most of the time.
      expect(j.frames.channels.speed.missing).toBeLessThan(0.3);
    });
  }

  it("the MCAP and the ROS 1 bag of the same recording agree channel by channel", async () => {
    const a = JSON.parse((await lam("inspect", join(DATA, "husky/test1_ros2.mcap"), "--json")).out) as InspectJson;
    const b = JSON.parse((await lam("inspect", join(DATA, "husky/test1.bag"), "--json")).out) as InspectJson;
    expect(a.channels.map((c) => [c.name, c.samples, c.min, c.max])).toEqual(b.channels.map((c) => [c.name, c.samples, c.min, c.max]));
  });

  it("prints a readable table without --json", async () => {
    const r = await lam("inspect", join(DATA, "f1tenth/DS1"));
    expect(r.code).toBe(0);
    expect(r.out).toMatch(/speed_cmd\s+m\/s\s+\d+/);
  });
});

describe("lam inspect on bad input: clear errors, never a crash", () => {
  const dir = mkdtempSync(join(tmpdir(), "lam-inspect-"));

  it("an empty file names the file", async () => {
    const p = join(dir, "empty.csv");
    writeFileSync(p, "");
    const r = await lam("inspect", p);
    expect(r.code).toBe(1);
    expect(r.err).toContain("empty.csv");
  });

  it("a missing path names it", async () => {
    const r = await lam("inspect", join(dir, "nope"));
    expect(r.code).toBe(1);
    expect(r.err).toContain("no such file");
  });

  it("a file that is no drive says what lam reads", async () => {
    const p = join(dir, "x.bin");
    writeFileSync(p, "hello");
    const r = await lam("inspect", p);
    expect(r.code).toBe(1);
    expect(r.err).toMatch(/not a drive/);
  });

  it("a truncated MCAP loads what it can and reports where it was cut", async () => {
    const whole = readFileSync(join(DATA, "husky/test1_ros2.mcap"));
    const p = join(dir, "cut.mcap");
    writeFileSync(p, whole.subarray(0, Math.floor(whole.length * 0.4)));
    const r = await lam("inspect", p, "--json");
    expect(r.code, r.err).toBe(0);
    const j = JSON.parse(r.out) as InspectJson & { issues: { where: string; message: string }[] };
    expect(j.span_s).toBeGreaterThan(50);
    expect(j.span_s).toBeLessThan(300);
    expect(JSON.stringify(j.issues)).toMatch(/truncat|offset|byte/i);
  });

  it("malformed CSV rows and time going backwards are counted with file:line, good rows kept", async () => {
    const p = join(dir, "drive.csv");
    writeFileSync(p, ["t,speed,steer", "0,1,0", "0.05,1.1,0.01", "0.1,oops,0.02", "0.15,1.2", "0.08,1.3,0.03", "0.2,1.4,0.04", "0.25,NaN,0.05", "0.3,1.5,0.05"].join("\n") + "\n");
    const r = await lam("inspect", p, "--json");
    expect(r.code, r.err).toBe(0);
    const j = JSON.parse(r.out) as InspectJson & { issues: { where: string; message: string }[] };
    const speed = j.channels.find((c) => c.name === "speed")!;
    expect(speed.samples).toBe(4); // 0, 0.05, 0.2, 0.3: the bad cell, the short row and the step back are out
    expect(speed.rejected.malformed ?? 0).toBeGreaterThanOrEqual(1);
    expect(speed.rejected.late ?? 0).toBe(1);
    const where = j.issues.map((i) => i.where).join(" ");
    expect(where).toContain("drive.csv:4");
    expect(where).toContain("drive.csv:6");
  });

  it("rejects a bad --rate as a usage error", async () => {
    const r = await lam("inspect", join(DATA, "f1tenth/DS1"), "--rate=-3");
    expect(r.code).toBe(2);
    expect(r.err).toContain("--rate -3");
  });
});
