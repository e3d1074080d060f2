import pkg from "@foxglove/ws-protocol";
import type { AddressInfo } from "node:net";
import { WebSocketServer } from "ws";
import type { ActionSequence } from "../../dynamics/types.js";
import type { Frame } from "../../perception/types.js";
import type { Command } from "../../policy/types.js";
import { commandToWire } from "../codec/command-wire.js";
import { BridgeInputError, type ActionSink, type NodeStatus } from "../codec/live.js";
import { BridgeCounters } from "../codec/stats.js";
import { statusToWire } from "../codec/status-wire.js";
import { secondsToNs } from "../ros/time.js";
import { frameMessage, predictionMessage } from "./messages.js";
import { COMMAND_SCHEMA, FRAME_SCHEMA, PREDICTION_SCHEMA, STATUS_SCHEMA } from "./schemas.js";

// ws-protocol is CommonJS; its named exports are not visible to an ES import.
const { FoxgloveServer } = pkg;

export const FOXGLOVE_TOPICS = {
  frame: "/lam/frame",
  prediction: "/lam/prediction",
  command: "/lam/command",
  status: "/lam/status",
} as const;

/** How long waitForSubscriber lets a client's other subscriptions arrive after its first. */
const SUBSCRIBE_SETTLE_MS = 200;

export interface FoxgloveLiveOptions {
  /** 0 (default) = a free port. Foxglove's own default is 8765. */
  readonly port?: number;
  /** Default loopback; "0.0.0.0" to let a laptop on the vehicle network connect. */
  readonly host?: string;
  readonly name?: string;
  /** Channel names of the frames that publishFrame gets (the FrameSpec's order). */
  readonly frameChannels?: readonly string[];
}

/** A live view of the node for Foxglove (open ws://host:port): frames, predictions, commands, status. */
export interface FoxgloveLive extends ActionSink {
  readonly url: string;
  readonly port: number;
  /** `channels` defaults to the server's frameChannels. */
  publishFrame(frame: Frame, channels?: readonly string[]): void;
  /** Whether any Foxglove client is subscribed to `topic` (nothing is encoded for a topic nobody watches). */
  hasSubscribers(topic: string): boolean;
  /** Resolves true once any client subscribes to any channel, false after `ms` (replay and sim wait before a run faster than real time). */
  waitForSubscriber(ms: number): Promise<boolean>;
  /** Resolves once every client's socket has sent what was queued, or after `ms` (close() drops what is still queued). */
  drain(ms: number): Promise<void>;
}

export async function startFoxgloveServer(opts: FoxgloveLiveOptions = {}): Promise<FoxgloveLive> {
  const host = opts.host ?? "127.0.0.1";
  const server = new FoxgloveServer({ name: opts.name ?? "lam" });
  const counters = new BridgeCounters();
  const wss = new WebSocketServer({ port: opts.port ?? 0, host, handleProtocols: (protocols) => server.handleProtocols(protocols) });
  await new Promise<void>((resolve, reject) => {
    wss.once("listening", resolve);
    wss.once("error", reject);
  });
  wss.on("connection", (conn, req) => server.handleConnection(conn, `${req.socket.remoteAddress}:${req.socket.remotePort}`));
  server.on("error", (err) => counters.reject(new BridgeInputError("foxglove", "malformed", err.message)));

  const channel = (topic: string, schema: { title: string }): number =>
    server.addChannel({ topic, encoding: "json", schemaName: schema.title, schema: JSON.stringify(schema), schemaEncoding: "jsonschema" });
  const ids = {
    frame: channel(FOXGLOVE_TOPICS.frame, FRAME_SCHEMA),
    prediction: channel(FOXGLOVE_TOPICS.prediction, PREDICTION_SCHEMA),
    command: channel(FOXGLOVE_TOPICS.command, COMMAND_SCHEMA),
    status: channel(FOXGLOVE_TOPICS.status, STATUS_SCHEMA),
  };
  const topicIds = new Map<string, number>(Object.entries(FOXGLOVE_TOPICS).map(([k, topic]) => [topic, ids[k as keyof typeof ids]]));
  const subscribed = new Set<number>();
  const onSubscribe: (() => void)[] = [];
  server.on("subscribe", (id) => {
    subscribed.add(id);
    for (const f of onSubscribe.splice(0)) f();
    // Like a retained MQTT status: whoever starts watching learns the node's state at once.
    if (id === ids.status && lastStatus) sendStatus(lastStatus);
  });
  server.on("unsubscribe", (id) => subscribed.delete(id));
  counters.connected = true;
  let lastStatus: NodeStatus | undefined;
  let closed = false;
  const encoder = new TextEncoder();

  const send = (id: number, topic: string, t: number, make: () => unknown): void => {
    if (closed || !subscribed.has(id)) return;
    counters.received++;
    try {
      server.sendMessage(id, secondsToNs(t), encoder.encode(JSON.stringify(make())));
      counters.accepted++;
    } catch (err) {
      counters.reject(new BridgeInputError(topic, "publish_failed", (err as Error).message));
    }
  };
  const sendStatus = (status: NodeStatus): void =>
    send(ids.status, FOXGLOVE_TOPICS.status, status.t ?? Date.now() / 1000, () => statusToWire(status));
  const port = (wss.address() as AddressInfo).port;

  return {
    url: `ws://${host}:${port}`,
    port,
    publishFrame(frame, channels = opts.frameChannels) {
      if (!channels) {
        counters.reject(new BridgeInputError(FOXGLOVE_TOPICS.frame, "malformed", "no channel names: pass frameChannels to startFoxgloveServer"));
        return;
      }
      send(ids.frame, FOXGLOVE_TOPICS.frame, frame.t, () => frameMessage(frame, channels));
    },
    publishPrediction(seq: ActionSequence) {
      send(ids.prediction, FOXGLOVE_TOPICS.prediction, seq.t0, () => predictionMessage(seq));
    },
    publishCommand(cmd: Command) {
      send(ids.command, FOXGLOVE_TOPICS.command, cmd.t, () => commandToWire(cmd));
    },
    publishStatus(status: NodeStatus) {
      lastStatus = status;
      sendStatus(status);
    },
    hasSubscribers: (topic) => subscribed.has(topicIds.get(topic) ?? -1),
    waitForSubscriber: (ms) =>
      subscribed.size > 0
        ? Promise.resolve(true)
        : new Promise<boolean>((resolve) => {
            const timer = setTimeout(() => resolve(false), ms);
            onSubscribe.push(() => {
              clearTimeout(timer);
              // A client subscribes channel by channel: let the rest of its first batch land before the run starts.
              setTimeout(() => resolve(true), SUBSCRIBE_SETTLE_MS);
            });
          }),
    async drain(ms) {
      for (const deadline = Date.now() + ms; [...wss.clients].some((c) => c.bufferedAmount > 0) && Date.now() < deadline; ) await new Promise((r) => setTimeout(r, 10));
    },
    stats: () => counters.snapshot(),
    async close() {
      if (closed) return;
      closed = true;
      counters.connected = false;
      for (const client of wss.clients) client.terminate();
      await new Promise<void>((resolve) => wss.close(() => resolve()));
    },
  };
}
