import { execFileSync, execSync } from "node:child_process";
import { chmodSync, existsSync, readFileSync, statSync } from "node:fs";
import { resolve } from "node:path";
import { describe, expect, it } from "vitest";

const root = resolve(__dirname, "..");
const pkg = JSON.parse(readFileSync(resolve(root, "package.json"), "utf8")) as { bin: Record<string, string> };
const bin = resolve(root, pkg.bin.lam!);
const executable = (p: string) => (statSync(p).mode & 0o111) === 0o111;

describe("the lam bin as npm installs it", () => {
  it("the build marks the bin executable even when it was not (npx lam executes it directly)", () => {
    // Start from a bin without x bits, so a build that no longer sets them cannot pass on an earlier build's file.
    const had = existsSync(bin) && executable(bin);
    if (existsSync(bin)) chmodSync(bin, 0o644);
    try {
      execSync("npm run build", { cwd: root, stdio: "pipe" });
    } catch (e) {
      // Leave the shared dist/ as usable as it was, and say why the build failed.
      if (had && existsSync(bin)) chmodSync(bin, 0o755);
      const out = e as { stdout?: Buffer; stderr?: Buffer };
      throw new Error(`npm run build failed:\n${`${out.stdout ?? ""}${out.stderr ?? ""}`.slice(-2000)}`);
    }
    expect(executable(bin)).toBe(true);
    const out = execFileSync(bin, ["doctor", "--json"], { cwd: root, encoding: "utf8" });
    expect(JSON.parse(out).node).toBe(process.version);
  }, 600_000); // a full tsc build: minutes on a loaded 2-core machine
});
