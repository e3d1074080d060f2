import { parseArgs } from "node:util";
import { readFile, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { UsageError, type CliIO } from "../io.js";
import { commandBackend } from "../backend-choice.js";
import { blocksFromRecord, wholeDrive, type Block, type FrameSeries } from "../../dynamics/dataset.js";
import { evaluate } from "../../dynamics/evaluate.js";
import { scoreBaselines } from "../../dynamics/baseline-scores.js";
import { loadModel, sha256, type LoadedModel } from "../../dynamics/save.js";
import { exportModel, type Quantise } from "../../dynamics/quantise.js";
import { FastPredictor, predictorModel } from "../../dynamics/predictor.js";
import { defaultModelDir, dirStore } from "../model-dir.js";
import { loadSeries } from "../drive-frames.js";

const HELP = `usage: lam export --out DIR [--model DIR] [--quantize float16|uint8] [--shard-bytes N] [drive...] [--map X] [--json]

Writes a copy of a model folder in tfjs-converter's layout: weights quantised per tensor (float16, or uint8 with
the manifest's quantization {dtype, min, scale}) and/or split into weight files of at most N bytes. lam loads
both (the weights are expanded to float32 at load, so the predictor's per-tick work is unchanged). With drives,
it measures the cost: the ADE of both models on the drives' held-out windows (as lam eval picks them) and the
load and per-tick times of both, and records them in the new lam.json under export.measured.

  --model DIR        model to export (default: the bundled default model)
  --quantize X       float16 (half the bytes) or uint8 (a quarter); default: float32 as it is
  --shard-bytes N    largest weight file; more bytes are split into group1-shardKofN.bin
  --map X            CSV column map for CSV drives
  --json             print one JSON object
`;

/** Held-out blocks as lam eval picks them: a training drive's recorded test blocks, any other drive whole. */
function heldOut(meta: LoadedModel["meta"], s: FrameSeries): Block[] {
  const trained = new Set(meta.training?.drives ?? []);
  if (!trained.has(s.name)) return [wholeDrive(s)];
  return blocksFromRecord(s, (meta.training?.split ?? []).filter((b) => b.role === "test") as Block[]);
}

/** Microseconds per tick of the real-time predictor over the frames (after a warm-up pass); a timing, never asserted. */
function usPerTick(m: LoadedModel, frames: FrameSeries): number {
  const p = new FastPredictor(predictorModel(m), { frameChannels: frames.channels, reuseOutput: true });
  const n = Math.min(frames.frames.length, 4000);
  for (let i = 0; i < Math.min(n, 200); i++) p.step(frames.frames[i]);
  p.reset();
  const t0 = performance.now();
  for (let i = 0; i < n; i++) p.step(frames.frames[i]);
  return ((performance.now() - t0) * 1000) / n;
}

export default async function exportCommand(argv: string[], io: CliIO): Promise<number> {
  const { values, positionals } = parseArgs({
    args: argv,
    allowPositionals: true,
    options: {
      model: { type: "string" },
      out: { type: "string" },
      quantize: { type: "string" },
      "shard-bytes": { type: "string" },
      map: { type: "string" },
      json: { type: "boolean" },
      help: { type: "boolean", short: "h" },
    },
  });
  if (values.help) {
    io.stdout.write(HELP);
    return 0;
  }
  if (!values.out) throw new UsageError("--out DIR is required");
  if (values.quantize !== undefined && values.quantize !== "float16" && values.quantize !== "uint8") throw new UsageError(`--quantize=${values.quantize} must be float16 or uint8`);
  const shardBytes = values["shard-bytes"] === undefined ? undefined : Number(values["shard-bytes"]);
  if (shardBytes !== undefined && !(Number.isInteger(shardBytes) && shardBytes >= 4)) throw new UsageError(`--shard-bytes=${values["shard-bytes"]} must be an integer >= 4`);
  await commandBackend();
  const dir = values.model ?? defaultModelDir();
  const t0 = performance.now();
  const src = await loadModel(dirStore(dir));
  const loadSrcMs = performance.now() - t0;
  const res = await exportModel(dirStore(values.out), src.model, { ...src.meta }, { quantize: values.quantize as Quantise | undefined, shardBytes }, sha256);
  const t1 = performance.now();
  const out = await loadModel(dirStore(values.out));
  const loadOutMs = performance.now() - t1;
  const summary: Record<string, unknown> = {
    out: values.out,
    from: dir,
    quantize: values.quantize ?? "none",
    files: res.files,
    weight_bytes: res.bytes,
    from_weight_bytes: (res.lam.export as { from_weight_bytes: number }).from_weight_bytes,
    load_ms: { from: loadSrcMs, exported: loadOutMs },
  };
  if (positionals.length > 0) {
    const series: FrameSeries[] = [];
    const blocks: Block[] = [];
    const data: Record<string, "test_blocks" | "whole_drive"> = {};
    for (const p of positionals) {
      const s = await loadSeries(p, src.meta.spec, { map: values.map });
      series.push(s);
      blocks.push(...heldOut(src.meta, s));
      data[s.name] = src.meta.training?.drives.includes(s.name) ? "test_blocks" : "whole_drive";
    }
    // Both models on the same windows: the baselines run once (the exported lam.json keeps their configuration).
    const baselines = scoreBaselines(src.meta, series, blocks);
    const a = evaluate(src, series, blocks, data, { baselines });
    const b = evaluate(out, series, blocks, data, { baselines });
    // Interleaved rounds, the best of each: the machine's load moves between two back-to-back runs.
    const us = [Infinity, Infinity];
    for (let r = 0; r < 5; r++) {
      us[0] = Math.min(us[0], usPerTick(src, series[0]));
      us[1] = Math.min(us[1], usPerTick(out, series[0]));
    }
    summary.measured = {
      windows: a.windows,
      ade: { from: a.model.ade, exported: b.model.ade, ratio: b.model.ade / a.model.ade },
      per_channel_ade: Object.fromEntries(Object.keys(a.model.per_channel).map((c) => [c, { from: a.model.per_channel[c].ade, exported: b.model.per_channel[c].ade }])),
      ratio_to_best_baseline: { from: a.ratio_to_best_baseline, exported: b.ratio_to_best_baseline },
      us_per_tick: { from: us[0], exported: us[1] },
    };
    const path = join(values.out, "lam.json");
    const lam = JSON.parse(await readFile(path, "utf8"));
    lam.export.measured = summary.measured;
    await writeFile(path, JSON.stringify(lam, null, 2) + "\n");
  }
  src.model.dispose();
  out.model.dispose();
  if (values.json) {
    io.stdout.write(JSON.stringify(summary) + "\n");
    return 0;
  }
  const kb = (n: number) => `${(n / 1024).toFixed(1)} KB`;
  io.stdout.write(`lam export: ${dir} → ${values.out} (${summary.quantize}; ${res.files.join(", ")}): weights ${kb(res.bytes)} from ${kb(summary.from_weight_bytes as number)}\n`);
  io.stdout.write(`  load ${loadSrcMs.toFixed(0)} ms → ${loadOutMs.toFixed(0)} ms\n`);
  const m = summary.measured as { windows: number; ade: { from: number; exported: number; ratio: number }; ratio_to_best_baseline: { from: number; exported: number }; us_per_tick: { from: number; exported: number } } | undefined;
  if (m) {
    io.stdout.write(`  ADE over ${m.windows} held-out windows ${m.ade.from.toFixed(4)} → ${m.ade.exported.toFixed(4)} (×${m.ade.ratio.toFixed(4)}); ratio to best baseline ${m.ratio_to_best_baseline.from.toFixed(3)} → ${m.ratio_to_best_baseline.exported.toFixed(3)}\n`);
    io.stdout.write(`  real-time predictor ${m.us_per_tick.from.toFixed(1)} → ${m.us_per_tick.exported.toFixed(1)} µs/tick (same kernel: the weights are float32 again once loaded)\n`);
  }
  return 0;
}
