// Re-chooses a trained model's per-action source (head.source: the net, hold-last, linear or AR) on its own
// recorded validation blocks, as lam train now does after training (dynamics/train-run.ts chooseOnValidation, with
// the default choice margin, or LAM_CHOICE_MARGIN=<fraction>|significant). The
// weights are untouched (weightsSha256 covers weights.bin only); head.source, head.ar and training.validation
// are rewritten. Usage: npx tsx scripts/rechoose-sources.ts MODEL_DIR DRIVE...   (the drives it was trained on)
import { readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { loadModel } from "../dynamics/save.js";
import { blocksFromRecord } from "../dynamics/dataset.js";
import { scoreBaselines } from "../dynamics/baseline-scores.js";
import { chooseOnValidation, DEFAULT_CHOICE_MARGIN } from "../dynamics/train-run.js";
import { dirStore } from "../runtime/model-dir.js";
import { loadSeries } from "../runtime/drive-frames.js";

const [dir, ...drives] = process.argv.slice(2);
if (!dir || drives.length === 0) throw new Error("usage: rechoose-sources.ts MODEL_DIR DRIVE...");
const loaded = await loadModel(dirStore(dir));
const { meta } = loaded;
if (!meta.baselines?.ar || !meta.training) throw new Error(`${dir}/lam.json records no AR fit or no training split`);
const series = await Promise.all(drives.map((d) => loadSeries(d, meta.spec)));
const val = series.flatMap((s) => blocksFromRecord(s, meta.training!.split.filter((b) => b.role === "val") as never));
if (val.length === 0) throw new Error("none of the recorded validation blocks is in these drives");
const { source: _s, ar: _a, ...net } = meta.head;
const env = process.env.LAM_CHOICE_MARGIN;
const margin = env === undefined ? DEFAULT_CHOICE_MARGIN : env === "significant" ? env : Number(env);
const netModel = { model: loaded.model, meta: { ...meta, head: net } };
const validation = chooseOnValidation(netModel, series, val, scoreBaselines(netModel.meta, series, val), margin);
const path = join(dir, "lam.json");
const lam = JSON.parse(readFileSync(path, "utf8"));
lam.head = validation.source.every((s) => s === "model") ? net : { ...net, source: validation.source, ...(validation.source.includes("ar") ? { ar: meta.baselines.ar } : {}) };
lam.training.validation = validation;
writeFileSync(path, JSON.stringify(lam, null, 2) + "\n");
console.log(JSON.stringify(validation));
loaded.model.dispose();
