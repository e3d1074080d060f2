import { execFileSync } from "node:child_process";
import { rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { resolve } from "node:path";
import { afterAll, describe, expect, it } from "vitest";

const root = resolve(__dirname, "../..");
// Its own build folder: dist/ may be rebuilt by another test file running at the same time.
const out = resolve(root, `.scratch-bench-dist-${process.pid}`);
afterAll(() => rmSync(out, { recursive: true, force: true }));

describe("lam bench from the built bin", () => {
  it("finds the recorded drives from the built files, whatever the working directory", () => {
    execFileSync(process.execPath, [resolve(root, "node_modules/typescript/bin/tsc"), "-p", "tsconfig.json", "--outDir", out], { cwd: root, stdio: "pipe" });
    const json = execFileSync(process.execPath, [resolve(out, "runtime/cli.js"), "bench", "--only", "perception", "--json", "--no-pin"], { cwd: tmpdir(), encoding: "utf8", stdio: ["ignore", "pipe", "pipe"] });
    const report = JSON.parse(json) as { perception: { drive: string; samples: number; identical: boolean }[] };
    expect(report.perception.map((r) => r.drive)).toEqual(["comma2k19-rav4", "f1tenth/DS1", "husky/test1_ros2.mcap", "husky/test1.bag"]);
    for (const row of report.perception) {
      expect(row.samples).toBeGreaterThan(20_000);
      expect(row.identical).toBe(true);
    }
  });

  it("--data names the folder; a missing one is a clear error, not a silent skip", () => {
    let err = "";
    try {
      execFileSync(process.execPath, [resolve(out, "runtime/cli.js"), "bench", "--only", "perception", "--no-pin", "--data", "/nonexistent-lam-data"], { cwd: tmpdir(), encoding: "utf8", stdio: ["ignore", "pipe", "pipe"] });
    } catch (e) {
      err = String((e as { stderr?: string }).stderr);
    }
    expect(err).toContain("/nonexistent-lam-data");
  });
});
