import { Aedes } from "aedes";
import { createServer, type AddressInfo, type Server } from "node:net";

/** An in-process MQTT 3.1.1 broker (aedes) for `lam run` without --mqtt. */
export interface EmbeddedBroker {
  readonly url: string;
  readonly port: number;
  close(): Promise<void>;
}

/** Listens on host:port (port 0 = a free ephemeral port). Clients must speak MQTT 3.1.1 (protocolVersion 4). */
export async function startEmbeddedBroker(opts: { port?: number; host?: string } = {}): Promise<EmbeddedBroker> {
  const host = opts.host ?? "127.0.0.1";
  const broker = await Aedes.createBroker();
  const server: Server = createServer(broker.handle);
  try {
    await new Promise<void>((resolve, reject) => {
      server.once("error", reject);
      server.listen(opts.port ?? 0, host, () => {
        server.off("error", reject);
        resolve();
      });
    });
  } catch (e) {
    // A port in use must not leave the broker's timers running (they would keep the process alive).
    await new Promise<void>((resolve) => broker.close(() => resolve()));
    throw e;
  }
  const port = (server.address() as AddressInfo).port;
  return {
    url: `mqtt://${host}:${port}`,
    port,
    async close() {
      await new Promise<void>((resolve) => broker.close(() => resolve()));
      // Aedes closing its clients ends their sockets; the server then has nothing left to wait for.
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}
