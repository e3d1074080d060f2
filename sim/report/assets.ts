// uPlot (MIT, Leon Sorokin), read from node_modules when the first page is rendered and inlined into it, so a
// report stays one file that opens offline. Null when the package cannot be found: the page then keeps its
// static SVG plots and says why.
import { readFileSync } from "node:fs";
import { createRequire } from "node:module";

export interface ChartAssets {
  readonly js: string;
  readonly css: string;
  readonly version: string;
}

let cached: ChartAssets | null | undefined;

export function chartAssets(): ChartAssets | null {
  if (cached !== undefined) return cached;
  try {
    const req = createRequire(import.meta.url);
    const js = readFileSync(req.resolve("uplot/dist/uPlot.iife.min.js"), "utf8");
    const css = readFileSync(req.resolve("uplot/dist/uPlot.min.css"), "utf8");
    const version = (JSON.parse(readFileSync(req.resolve("uplot/package.json"), "utf8")) as { version?: string }).version ?? "?";
    // Inside a <script> element only "</script" could end it early; "<\/" means the same to JavaScript.
    cached = { js: js.replace(/<\/(script)/gi, "<\\/$1"), css: css.replace(/<\/(style)/gi, "<\\/$1"), version };
  } catch {
    cached = null;
  }
  return cached;
}
