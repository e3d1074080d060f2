// The live node's sinks for the commands that run faster than real time (lam replay, lam sim): the same Foxglove
// server and the same ROS 2 node as `lam run`, fed as the run computes. Nothing here is a second implementation:
// it opens bridges/foxglove/server.ts and runtime/run-ros2.ts, and publishes through pipeline/ports.ts' publishTick.
import type { FoxgloveLive } from "../bridges/foxglove/server.js";
import type { Ros2Bridge } from "../bridges/ros2/bridge.js";
import type { Measured } from "../bridges/ros2/commands.js";
import { Validity, type Frame } from "../perception/types.js";
import type { ActionSink, NodeStatus } from "../pipeline/ports.js";
import { UsageError } from "./io.js";
import { openRunRos2, prepareRos2, ROS2_FLAGS, type PreparedRos2, type Ros2Values, type RunRos2Deps } from "./run-ros2.js";

export const BATCH_SINK_FLAGS = {
  foxglove: { type: "string" },
  "foxglove-wait": { type: "string" },
  ...ROS2_FLAGS,
} as const;

const HELP_ROWS: readonly (readonly [string, string])[] = [
  ["--foxglove PORT", "serve lam run's Foxglove live view on ws://127.0.0.1:PORT (0: a free port, logged): frames,\npredictions, commands and status, published as they are computed"],
  ["--foxglove-wait S", "wait up to S s for a Foxglove client to subscribe before running (default 0: do not wait)"],
  ["--ros2", "publish commands, predictions and status through lam run's ROS 2 node (its command type, topics\nand QoS; needs a sourced ROS 2); --ros2-command K, --wheelbase M, --ros-args ... [--] as lam run"],
];

/** The help rows of these flags, descriptions starting at column `col` (each command's help has its own). */
export function batchSinkHelp(col: number): string {
  return HELP_ROWS.map(([flag, text]) => {
    const [first, ...rest] = text.split("\n");
    const head = `  ${flag}`;
    const lead = head.length + 1 > col ? `${head}\n${" ".repeat(col)}` : head.padEnd(col);
    return [lead + first, ...rest.map((l) => " ".repeat(col) + l)].join("\n") + "\n";
  }).join("");
}

/** lam run's ROS 2 flags (no --vehicle: replay and sim name their own) and the Foxglove ones. */
interface BatchValues extends Omit<Ros2Values, "vehicle"> {
  readonly foxglove?: string;
  readonly "foxglove-wait"?: string;
}

export interface PreparedBatchSinks {
  readonly foxglovePort?: number;
  readonly foxgloveWaitS: number;
  readonly ros2?: PreparedRos2;
}

const portOf = (v: string): number => {
  const n = Number(v);
  if (!Number.isInteger(n) || n < 0 || n > 65535) throw new UsageError(`--foxglove ${v}: expected a port 0..65535`);
  return n;
};

/** Checks the flags before anything starts (a usage error, or no sourced ROS 2, fails here). */
export function prepareBatchSinks(values: BatchValues, rosTokens: readonly string[], env: Readonly<Record<string, string | undefined>>): PreparedBatchSinks {
  const wait = values["foxglove-wait"] === undefined ? 0 : Number(values["foxglove-wait"]);
  if (values["foxglove-wait"] !== undefined && values.foxglove === undefined) throw new UsageError("--foxglove-wait needs --foxglove PORT");
  if (!(wait >= 0 && Number.isFinite(wait))) throw new UsageError(`--foxglove-wait ${values["foxglove-wait"]}: expected seconds >= 0`);
  // lam sim's --vehicle is what --generate draws, not a ROS vehicle id: only the ROS flags go to the node.
  const ros2 = prepareRos2({ ...(values.ros2 ? { ros2: true } : {}), "ros2-topic": values["ros2-topic"], "ros2-command": values["ros2-command"], wheelbase: values.wheelbase, "imu-mount": values["imu-mount"], model: values.model, policy: values.policy }, rosTokens, env);
  return { ...(values.foxglove === undefined ? {} : { foxglovePort: portOf(values.foxglove) }), foxgloveWaitS: wait, ...(ros2 ? { ros2 } : {}) };
}

export interface BatchSinks {
  /** The action sinks to publish each tick to (publishTick), in the order opened. */
  readonly sinks: readonly ActionSink[];
  readonly foxglove?: FoxgloveLive;
  readonly ros2?: Ros2Bridge;
  /** A tick's frame: to the Foxglove view, and its measured speed for the ROS 2 command of an accel_cmd model. */
  frame(frame: Frame, channels: readonly string[]): void;
  status(status: NodeStatus): void;
  /** Waits for queued Foxglove messages, closes everything, and logs what each sink published. */
  close(log: (line: string) => void): Promise<void>;
}

/** The measured speed of a frame, where it has a usable one. */
function speedOf(frame: Frame, channels: readonly string[]): Measured | undefined {
  const i = channels.indexOf("speed");
  if (i < 0 || frame.valid[i] === Validity.Missing) return undefined;
  const v = frame.values[i]!;
  return Number.isFinite(v) ? { t: frame.t, value: v } : undefined;
}

export async function openBatchSinks(p: PreparedBatchSinks, deps: RunRos2Deps, log: (line: string) => void): Promise<BatchSinks> {
  const sinks: ActionSink[] = [];
  let speed: Measured | undefined;
  let fox: FoxgloveLive | undefined;
  let ros: Ros2Bridge | undefined;
  try {
    if (p.ros2) {
      // Nothing reads the node's subscriptions here: the measured speed comes from the frames computed.
      ros = await openRunRos2(p.ros2, deps, log, { sink: { measuredSpeed: () => speed } });
      sinks.push(ros.sink);
    }
    if (p.foxglovePort !== undefined) {
      const { startFoxgloveServer } = await import("../bridges/foxglove/server.js");
      fox = await startFoxgloveServer({ port: p.foxglovePort });
      sinks.push(fox);
      log(`Foxglove live view on ${fox.url}${p.foxgloveWaitS > 0 ? `: waiting up to ${p.foxgloveWaitS} s for a client` : ""}`);
      if (p.foxgloveWaitS > 0 && !(await fox.waitForSubscriber(p.foxgloveWaitS * 1000))) log(`Foxglove: no client subscribed within ${p.foxgloveWaitS} s; running anyway`);
    }
  } catch (e) {
    await ros?.close();
    await fox?.close();
    throw e;
  }
  return {
    sinks,
    ...(fox ? { foxglove: fox } : {}),
    ...(ros ? { ros2: ros } : {}),
    frame(frame, channels) {
      speed = speedOf(frame, channels) ?? speed;
      fox?.publishFrame(frame, channels);
    },
    status(status) {
      for (const s of sinks) s.publishStatus(status);
    },
    async close(say) {
      const line = (what: string, s: ActionSink) => {
        const st = s.stats();
        const why = Object.entries(st.rejected).map(([k, n]) => `${k} ${n}`).join(", ");
        say(`${what}: ${st.accepted} published, ${st.received - st.accepted} not${why ? ` (${why}${st.lastError ? `; last: ${st.lastError}` : ""})` : ""}`);
      };
      if (fox) {
        await fox.drain(5000);
        line(`foxglove ${fox.url}`, fox);
        await fox.close();
      }
      if (ros) {
        line("ros2", ros.sink);
        await ros.close();
      }
    },
  };
}
