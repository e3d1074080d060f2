import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import type { Registry } from "prom-client";

/** What /healthz answers: healthy or not, and why. */
export interface Health {
  readonly healthy: boolean;
  readonly [key: string]: unknown;
}

export interface ObserveServer {
  /** http://host:port */
  readonly url: string;
  readonly port: number;
  close(): Promise<void>;
}

export interface ObserveServerOptions {
  readonly port: number;
  /** Default 127.0.0.1: metrics say a lot about a vehicle; opening them is a choice. */
  readonly host?: string;
  readonly registry: Registry;
  readonly health: () => Health;
}

/** GET /metrics (Prometheus text format) and GET /healthz (JSON; 200 healthy, 503 not). Nothing else. */
export async function startObserveServer(opts: ObserveServerOptions): Promise<ObserveServer> {
  const host = opts.host ?? "127.0.0.1";
  const server: Server = createServer((req, res) => {
    const path = (req.url ?? "/").split("?")[0];
    if (req.method !== "GET" && req.method !== "HEAD") {
      res.writeHead(405, { allow: "GET, HEAD" }).end();
      return;
    }
    if (path === "/metrics") {
      opts.registry.metrics().then(
        (text) => res.writeHead(200, { "content-type": opts.registry.contentType }).end(text),
        (err: unknown) => res.writeHead(500, { "content-type": "text/plain" }).end(`metrics failed: ${String(err)}\n`),
      );
      return;
    }
    if (path === "/healthz") {
      let h: Health;
      try {
        h = opts.health();
      } catch (err) {
        h = { healthy: false, error: String(err) };
      }
      res.writeHead(h.healthy ? 200 : 503, { "content-type": "application/json" }).end(JSON.stringify(h) + "\n");
      return;
    }
    res.writeHead(404, { "content-type": "text/plain" }).end("not found: try /metrics or /healthz\n");
  });
  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen(opts.port, host, () => {
      server.off("error", reject);
      resolve();
    });
  });
  const port = (server.address() as AddressInfo).port;
  const shown = host.includes(":") ? `[${host}]` : host;
  return {
    url: `http://${shown}:${port}`,
    port,
    async close() {
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}
