/*
 * lam train --choice-margin: the CLI's way to the per-action choice rule (dynamics/train-run.ts choiceMargin). A margin
 * no net can clear leaves every action to its best baseline; the rule and the margin are recorded in lam.json.
 */
import { describe, expect, it } from "vitest";
import { mkdtemp, readFile, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { main } from "../../runtime/main.js";

const rav4 = resolve(import.meta.dirname, "../../../shared/data/comma2k19-rav4");
const io = () => {
  const out: string[] = [];
  const err: string[] = [];
  return { out, err, io: { stdout: { write: (s: string) => void out.push(s) }, stderr: { write: (s: string) => void err.push(s) } } };
};

describe("lam train --choice-margin", () => {
  it("names a bad value, and refuses it with --sources model", async () => {
    const args = ["train", rav4, "--out", "/nonexistent/never-written"];
    for (const v of ["-0.1", "1", "abc", ""]) {
      const t = io();
      expect(await main([...args, `--choice-margin=${v}`], t.io)).toBe(2);
      expect(t.err.join("")).toContain(`--choice-margin=${v} must be a fraction in [0, 1) or "significant"`);
    }
    const t = io();
    expect(await main([...args, "--choice-margin", "0.1", "--sources", "model"], t.io)).toBe(2);
    expect(t.err.join("")).toMatch(/--choice-margin applies to --sources best/);
  });

  it("a 90 % margin leaves every action to its best baseline; lam.json records the rule", async () => {
    const dir = await mkdtemp(join(tmpdir(), "lam-margin-"));
    try {
      const args = ["train", rav4, "--holdout-tail", "0.3", "--history", "1.0", "--units", "8", "--epochs", "2",
        "--features", "speed,yaw_rate,accel,steer_cmd,accel_cmd", "--actions", "steer_cmd,accel_cmd", "--json"];
      const t = io();
      expect(await main([...args, "--out", join(dir, "m"), "--choice-margin", "0.9"], t.io), t.err.join("")).toBe(0);
      const lam = JSON.parse(await readFile(join(dir, "m", "lam.json"), "utf8"));
      expect(lam.training.options.choiceMargin).toBe(0.9);
      expect(lam.training.validation.rule).toMatchObject({ kind: "margin", margin: 0.9 });
      expect(lam.head.source).toHaveLength(2);
      expect(lam.head.source).not.toContain("model");

      const s = io();
      expect(await main([...args, "--out", join(dir, "s"), "--choice-margin", "significant"], s.io), s.err.join("")).toBe(0);
      const sig = JSON.parse(await readFile(join(dir, "s", "lam.json"), "utf8"));
      expect(sig.training.options.choiceMargin).toBe("significant");
      expect(sig.training.validation.rule.kind).toBe("significant");
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  }, 240_000);
});
