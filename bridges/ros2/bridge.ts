import type { ActionSink, SampleSource } from "../codec/live.js";
import type { Ros2Node } from "./node.js";
import { openRclnodejsNode, type RclnodejsNodeOptions } from "./rclnodejs-node.js";
import { ros2ActionSink, type Ros2SinkOptions } from "./sink.js";
import { ros2SampleSource, type Ros2SourceOptions } from "./source.js";

export interface Ros2Bridge {
  readonly node: Ros2Node;
  readonly source: SampleSource;
  readonly sink: ActionSink;
  /** Publishes "offline", drops the subscriptions and publishers, destroys the node. */
  close(): Promise<void>;
}

export interface Ros2BridgeOptions extends Ros2SourceOptions, RclnodejsNodeOptions {
  readonly sink?: Ros2SinkOptions;
  /** Another Ros2Node than rclnodejs (the default is openRclnodejsNode, which needs a sourced ROS 2). */
  readonly rosNode?: Ros2Node;
}

/** A node's ROS 2 side in one call. Throws Ros2UnavailableError (naming ROS_DISTRO) where ROS 2 is absent. */
export async function openRos2Bridge(opts: Ros2BridgeOptions): Promise<Ros2Bridge> {
  const node = opts.rosNode ?? (await openRclnodejsNode(opts));
  let source: SampleSource;
  try {
    source = ros2SampleSource(node, opts);
  } catch (err) {
    await node.close();
    throw err;
  }
  const sink = ros2ActionSink(node, opts.sink);
  return {
    node,
    source,
    sink,
    async close() {
      await source.close();
      await sink.close();
      await node.close();
    },
  };
}
