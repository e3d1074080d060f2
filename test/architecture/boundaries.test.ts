// The layer table of ../shared/DESIGN.md, enforced: no import runs back up it, and no import circle.
import { readdirSync, readFileSync, statSync } from "node:fs";
import { dirname, join, normalize, relative, resolve } from "node:path";
import { describe, expect, it } from "vitest";

const root = resolve(__dirname, "../..");

/** Which of our folders each folder may import (DESIGN.md "Folders"); runtime and test may import everything. */
const MAY_IMPORT: Record<string, readonly string[] | "all"> = {
  perception: [],
  dynamics: ["perception"],
  policy: ["dynamics", "perception"],
  pipeline: ["perception", "dynamics", "policy"],
  sim: ["perception", "dynamics", "policy", "pipeline", "scenarios"],
  scenarios: [],
  bridges: ["perception", "dynamics", "policy", "pipeline"],
  bench: ["perception", "dynamics", "policy", "pipeline", "sim", "scenarios", "bridges"],
  runtime: "all",
};

/**
 * Known arrows up the table, each to be removed. The list may only shrink: an entry that no longer occurs fails the
 * test too, so it is deleted when fixed. Empty since bench/ takes what it needs of runtime/ by injection (issue 9).
 */
const KNOWN_VIOLATIONS: readonly string[] = [];

/** Known circles, each to be removed; the list may only shrink (type-only imports count: they are arrows too). */
const KNOWN_CIRCLES: readonly string[] = [];

function tsFiles(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const p = join(dir, name);
    if (name === "node_modules" || name.startsWith(".")) return [];
    return statSync(p).isDirectory() ? tsFiles(p) : p.endsWith(".ts") && !p.endsWith(".d.ts") ? [p] : [];
  });
}

/** Relative imports of a file (static, re-exports, dynamic with a literal), as repo-relative .ts paths. */
export function importsOf(file: string, source = readFileSync(file, "utf8")): string[] {
  const out: string[] = [];
  const re = /(?:^|[;\s])(?:import|export)\s[^;]*?from\s*["'](\.{1,2}\/[^"']+)["']|import\(\s*["'](\.{1,2}\/[^"']+)["']\s*\)|^import\s+["'](\.{1,2}\/[^"']+)["']/gm;
  for (const m of source.matchAll(re)) {
    const spec = m[1] ?? m[2] ?? m[3]!;
    out.push(relative(root, normalize(join(dirname(file), spec))).replace(/\.js$/, ".ts"));
  }
  return out;
}

const layered = Object.keys(MAY_IMPORT);
const files = layered.flatMap((d) => tsFiles(join(root, d)));
const graph = new Map(files.map((f) => [relative(root, f), importsOf(f)]));

describe("import boundaries (DESIGN.md's folder table)", () => {
  it("finds the imports it checks (static, re-export, dynamic)", () => {
    const f = join(root, "policy/x.ts");
    expect(importsOf(f, `import { a } from "../dynamics/a.js";\nexport * from "./b.js";\nconst m = await import("../sim/c.js");`)).toEqual(["dynamics/a.ts", "policy/b.ts", "sim/c.ts"]);
    expect(graph.get("sim/replay/engine.ts")).toContain("pipeline/decider.ts");
  });

  it("no folder imports one above it", () => {
    const found: string[] = [];
    for (const [from, targets] of graph) {
      const top = from.split("/")[0]!;
      const allowed = MAY_IMPORT[top]!;
      if (allowed === "all") continue;
      for (const to of targets) {
        const target = to.split("/")[0]!;
        if (target === top || !(target in MAY_IMPORT)) continue;
        if (!allowed.includes(target)) found.push(`${from} -> ${to}`);
      }
    }
    expect([...new Set(found)].sort()).toEqual([...KNOWN_VIOLATIONS].sort());
  });

  it("no import circle between modules", () => {
    const state = new Map<string, "open" | "done">();
    const cycles: string[] = [];
    const visit = (f: string, stack: string[]): void => {
      if (state.get(f) === "done") return;
      if (state.get(f) === "open") {
        cycles.push([...stack.slice(stack.indexOf(f)), f].join(" -> "));
        return;
      }
      state.set(f, "open");
      for (const g of graph.get(f) ?? []) if (graph.has(g)) visit(g, [...stack, f]);
      state.set(f, "done");
    };
    for (const f of graph.keys()) visit(f, []);
    expect(cycles.sort()).toEqual([...KNOWN_CIRCLES].sort());
  });
});
