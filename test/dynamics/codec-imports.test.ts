// The real-time predictor and the pure dynamics modules load without tfjs: the static import graph from each of them
// (type-only imports are erased by the compiler and so not followed) reaches no `@tensorflow/*` package.
import { existsSync, readFileSync } from "node:fs";
import { dirname, join, normalize, relative, resolve } from "node:path";
import { describe, expect, it } from "vitest";

const root = resolve(__dirname, "../..");

/** Module specifiers a file loads at run time: static imports and re-exports that are not type-only, dynamic imports. */
export function runtimeImports(source: string): string[] {
  const out: string[] = [];
  // Comments first: prose such as "both import this" would otherwise open a statement.
  const code = source.replace(/\/\*[\s\S]*?\*\//g, "").replace(/^\s*\/\/.*$/gm, "");
  const stmt = /(?:^|[;\s])(import|export)(\s+type)?\s+([^;]*?)\s*from\s*["']([^"']+)["']|import\(\s*["']([^"']+)["']\s*\)|^import\s+["']([^"']+)["']/gm;
  for (const m of code.matchAll(stmt)) {
    if (m[5] !== undefined || m[6] !== undefined) {
      out.push((m[5] ?? m[6])!);
      continue;
    }
    if (m[2] !== undefined) continue; // import type / export type
    const clause = m[3]!.trim();
    // `{ type A, type B }` alone is erased too; a default or namespace import beside it is not.
    const named = /^\{([^}]*)\}$/.exec(clause);
    if (named) {
      const items = named[1]!.split(",").map((s) => s.trim()).filter(Boolean);
      if (items.length > 0 && items.every((s) => s.startsWith("type "))) continue;
    }
    out.push(m[4]!);
  }
  return out;
}

/** Every package reached from `entry` (repo-relative .ts), with one import chain to each. */
function reachablePackages(entry: string): Map<string, string[]> {
  const packages = new Map<string, string[]>();
  const seen = new Set<string>();
  const visit = (file: string, chain: string[]): void => {
    if (seen.has(file)) return;
    seen.add(file);
    const abs = join(root, file);
    if (!existsSync(abs)) throw new Error(`${chain.join(" -> ")} imports ${file}, which does not exist`);
    for (const spec of runtimeImports(readFileSync(abs, "utf8"))) {
      if (spec.startsWith(".")) {
        const next = relative(root, normalize(join(dirname(abs), spec))).replace(/\.js$/, ".ts");
        visit(next, [...chain, file]);
      } else if (!spec.startsWith("node:") && !packages.has(spec)) {
        packages.set(spec, [...chain, file]);
      }
    }
  };
  visit(entry, []);
  return packages;
}

const tfjsFrom = (entry: string): string[] =>
  [...reachablePackages(entry)].filter(([p]) => p.startsWith("@tensorflow/")).map(([p, chain]) => `${[...chain, p].join(" -> ")}`);

describe("tfjs-free dynamics (the codec apart from the tfjs graph)", () => {
  it("parses what a file loads at run time and skips what the compiler erases", () => {
    const src = [
      "// both import this, neither imports the other",
      "/* import it from here */",
      'import * as tf from "@tensorflow/tfjs";',
      'import type * as tt from "@tensorflow/tfjs-core";',
      'import { type A, type B } from "./types.js";',
      'import { type C, d } from "./d.js";',
      'export type { E } from "./e.js";',
      'export * from "./f.js";',
      'import "./side.js";',
      'const g = await import("./g.js");',
    ].join("\n");
    expect(runtimeImports(src)).toEqual(["@tensorflow/tfjs", "./d.js", "./f.js", "./side.js", "./g.js"]);
  });

  it("finds tfjs where it is (the graph builder), so the checks below can fail", () => {
    expect(tfjsFrom("dynamics/model.ts")).toEqual(["dynamics/model.ts -> @tensorflow/tfjs"]);
  });

  it.each([
    "dynamics/codec.ts",
    "dynamics/predictor.ts",
    "dynamics/kernel-choice.ts",
    "dynamics/dataset.ts",
    "dynamics/lam-json.ts",
    "dynamics/baselines/index.ts",
    "dynamics/prior/index.ts",
    "sim/imitate/windows.ts",
  ])("%s reaches no @tensorflow package", (entry) => {
    expect(tfjsFrom(entry)).toEqual([]);
  });
});
