import { parseArgs } from "node:util";
import { execFileSync } from "node:child_process";
import type { CliIO } from "../io.js";
import { installedVersion } from "../optional.js";
import { commandBackend } from "../backend-choice.js";

interface Part {
  name: string;
  found: boolean;
  version: string | null;
  note: string;
}

function binaryVersion(cmd: string, args: string[]): string | null {
  try {
    return execFileSync(cmd, args, { encoding: "utf8", stdio: ["ignore", "pipe", "pipe"], timeout: 5000 }).trim().split("\n")[0] ?? null;
  } catch (e) {
    const out = (e as { stdout?: string; stderr?: string }).stdout || (e as { stderr?: string }).stderr;
    return out ? String(out).trim().split("\n")[0] ?? null : null;
  }
}

function pkg(name: string, note: string): Part {
  const version = installedVersion(name);
  return { name, found: version !== null, version, note };
}

export function optionalParts(): Part[] {
  const ros = process.env.ROS_DISTRO;
  const parts: Part[] = [
    pkg("@tensorflow/tfjs", "training and the reference forward pass"),
    pkg("@tensorflow/tfjs-backend-wasm", "CPU backend (SIMD, threads)"),
    pkg("@tensorflow/tfjs-node", "native libtensorflow CPU backend (optional)"),
    pkg("@tensorflow/tfjs-node-gpu", "CUDA backend (optional)"),
    pkg("@tensorflow/tfjs-backend-webgpu", "WebGPU backend (optional)"),
    pkg("webgpu", "Dawn for Node: the WebGPU adapter (optional)"),
    pkg("mqtt", "MQTT client"),
    pkg("aedes", "built-in MQTT broker"),
    pkg("@mcap/core", "MCAP reader/writer"),
    pkg("@foxglove/rosbag", "ROS 1 bag reader"),
    pkg("@foxglove/ws-protocol", "Foxglove live view"),
  ];
  const rcl = installedVersion("rclnodejs");
  parts.push({
    name: "rclnodejs",
    found: rcl !== null && !!ros,
    version: rcl,
    note: ros ? `ROS_DISTRO=${ros}` : "ROS_DISTRO not set: the ROS 2 bridge is off (source a ROS 2 setup.bash)",
  });
  const mosq = binaryVersion("mosquitto", ["-h"]);
  parts.push({ name: "mosquitto", found: !!mosq && /mosquitto/i.test(mosq), version: mosq?.match(/\d+\.\d+\.\d+/)?.[0] ?? null, note: "external MQTT 5 broker (tests)" });
  const chromium = binaryVersion("chromium", ["--version"]);
  parts.push({ name: "chromium", found: !!chromium && /chrom/i.test(chromium), version: chromium?.match(/\d+[\d.]+/)?.[0] ?? null, note: "renders HTML reports in tests" });
  const torch = binaryVersion("/usr/bin/python3", ["-c", "import importlib.metadata as m; print(m.version('torch'))"]); // importing torch takes seconds
  parts.push({ name: "python3-torch", found: !!torch && /^\d/.test(torch), version: torch && /^\d/.test(torch) ? torch : null, note: "benchmark peer (/usr/bin/python3)" });
  return parts;
}

/** The commands whose tfjs work runs on the backend chosen here. */
const BACKEND_COMMANDS = ["train", "eval", "replay", "sim", "tune", "run", "bench"];

export default async function doctor(argv: string[], io: CliIO): Promise<number> {
  const { values } = parseArgs({ args: argv, options: { json: { type: "boolean" } } });
  const report = {
    node: process.version,
    platform: `${process.platform}-${process.arch}`,
    lam: installedVersion("lam") ?? "dev",
    parts: optionalParts(),
    // Which tfjs backend lam would run on here, and why each one before it was passed over: every command that
    // loads a model (train, eval, replay, sim, tune, run, bench) takes the same choice (runtime/backend-choice.ts).
    backend: await commandBackend(),
    backend_used_by: BACKEND_COMMANDS,
  };
  if (values.json) {
    io.stdout.write(JSON.stringify(report, null, 2) + "\n");
    return 0;
  }
  io.stdout.write(`lam doctor\n  node ${report.node} (${report.platform})\n\n`);
  for (const p of report.parts) {
    io.stdout.write(`  ${p.found ? "yes" : " no"}  ${p.name.padEnd(32)} ${(p.version ?? "-").padEnd(20)} ${p.note}\n`);
  }
  io.stdout.write(`\n  tfjs backend: ${report.backend.name} (tf.getBackend() = ${report.backend.tfName}), used by lam ${BACKEND_COMMANDS.join(", ")}\n`);
  io.stdout.write(`  (--backend NAME forces one for any command; it must then start)\n`);
  for (const r of report.backend.reasons) io.stdout.write(`    ${r.status.padEnd(9)} ${r.backend.padEnd(14)} ${r.reason}\n`);
  return 0;
}
