import { describe, expect, it } from "vitest";
import { main } from "../runtime/main.js";

function capture() {
  const out: string[] = [];
  const err: string[] = [];
  return { io: { stdout: { write: (s: string) => out.push(s) }, stderr: { write: (s: string) => err.push(s) } }, out, err };
}

describe("lam CLI", () => {
  it("rejects an unknown command with exit 2 and names it", async () => {
    const c = capture();
    expect(await main(["frobnicate"], c.io)).toBe(2);
    expect(c.err.join("")).toContain('unknown command "frobnicate"');
  });

  it("doctor --json prints one JSON object listing the optional parts", async () => {
    const c = capture();
    expect(await main(["doctor", "--json"], c.io)).toBe(0);
    const report = JSON.parse(c.out.join(""));
    expect(report.node).toBe(process.version);
    const names = report.parts.map((p: { name: string }) => p.name);
    expect(names).toContain("rclnodejs");
    expect(names).toContain("@tensorflow/tfjs");
  });
});
