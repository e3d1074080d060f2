import { execFileSync, execSync } from "node:child_process";
import { resolve } from "node:path";
import { describe, expect, it } from "vitest";

const root = resolve(__dirname, "..");

describe("the lam bin as npm installs it", () => {
  it("builds, and the built bin runs directly (npx lam executes it, so it must be executable)", () => {
    execSync("npm run build", { cwd: root, stdio: "pipe" });
    const out = execFileSync(resolve(root, "dist/runtime/cli.js"), ["doctor", "--json"], { cwd: root, encoding: "utf8" });
    expect(JSON.parse(out).node).toBe(process.version);
  });
});
