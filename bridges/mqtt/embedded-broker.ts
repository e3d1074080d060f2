import { Aedes, type AuthenticateError, type Client } from "aedes";
import { randomBytes, timingSafeEqual } from "node:crypto";
import { readFileSync } from "node:fs";
import { createServer, isIP, type AddressInfo, type Server } from "node:net";
import { createServer as createTlsServer } from "node:tls";
import { parseTopic } from "./topics.js";

/** A login the broker accepts. */
export interface BrokerLogin {
  readonly username: string;
  readonly password: string;
}

/**
 * An in-process MQTT 3.1.1 broker (aedes) for `lam run` without --mqtt. Closed by default: loopback only, and only
 * the node's own login (made at random at start) may publish a vehicle's command, prediction and status.
 */
export interface EmbeddedBroker {
  /** mqtt://host:port, or mqtts:// with TLS; never with credentials. */
  readonly url: string;
  /**
   * Where the node and in-process feeders connect: `url` itself on a plain loopback broker, else a second, plain
   * listener on 127.0.0.1 (the same broker and rules, no certificate to check against a host name).
   */
  readonly localUrl: string;
  readonly host: string;
  readonly port: number;
  readonly tls: boolean;
  /** The node's login: the only one allowed to publish lam/<v>/{command,prediction,status}. */
  readonly nodeLogin: BrokerLogin;
  /** A login for in-process feeders (the demo vehicle): may publish lam/<v>/in/#, nothing the node says. */
  readonly feederLogin: BrokerLogin;
  /** Publishes refused so far, by why. */
  refused(): { readonly login: number; readonly publish: number };
  close(): Promise<void>;
}

export interface EmbeddedBrokerOptions {
  /** 0 (default) = a free ephemeral port. */
  readonly port?: number;
  /** Default 127.0.0.1. Anything but a loopback address needs `users`. */
  readonly host?: string;
  /** Who may log in (username → password). With users, anonymous clients are refused. */
  readonly users?: ReadonlyMap<string, string>;
  /** PEM files: the broker then speaks MQTT over TLS. */
  readonly tls?: { readonly cert: string; readonly key: string };
}

const BAD_LOGIN = 4; // CONNACK "bad user name or password"
const NOT_AUTHORIZED = 5;

/** True for 127.0.0.0/8, ::1, ::ffff:127.x and "localhost": what only this machine can reach. */
export function isLoopbackHost(host: string): boolean {
  const h = host.replace(/^\[|\]$/g, "").toLowerCase();
  if (h === "localhost" || h === "::1") return true;
  const v4 = h.startsWith("::ffff:") ? h.slice(7) : h;
  return isIP(v4) === 4 && v4.startsWith("127.");
}

/** `user:password` lines (# comments and blank lines skipped); errors name the file and line, never the password. */
export function parseUserFile(text: string, file: string): Map<string, string> {
  const users = new Map<string, string>();
  text.split(/\r?\n/).forEach((line, i) => {
    if (line.trim() === "" || line.trimStart().startsWith("#")) return;
    const colon = line.indexOf(":");
    if (colon <= 0 || colon === line.length - 1) throw new Error(`${file}:${i + 1}: expected user:password`);
    const user = line.slice(0, colon);
    if (users.has(user)) throw new Error(`${file}:${i + 1}: user "${user}" appears twice`);
    users.set(user, line.slice(colon + 1));
  });
  if (users.size === 0) throw new Error(`${file}: no user:password line`);
  return users;
}

function readPem(what: string, file: string): Buffer {
  try {
    return readFileSync(file);
  } catch (err) {
    throw new Error(`${what} ${file}: ${(err as { code?: string }).code === "ENOENT" ? "no such file" : (err as Error).message}`);
  }
}

function samePassword(a: string, b: Buffer | undefined): boolean {
  if (!b) return false;
  const x = Buffer.from(a);
  return x.length === b.length && timingSafeEqual(x, b);
}

const login = (role: string): BrokerLogin => ({ username: `lam-${role}-${randomBytes(4).toString("hex")}`, password: randomBytes(18).toString("base64url") });

/**
 * Listens on host:port. Clients must speak MQTT 3.1.1 (protocolVersion 4). A publish the rules refuse closes that
 * client's connection (aedes; MQTT 3.1.1 has no negative acknowledgement) and is counted.
 */
export async function startEmbeddedBroker(opts: EmbeddedBrokerOptions = {}): Promise<EmbeddedBroker> {
  const host = opts.host ?? "127.0.0.1";
  const users = opts.users ?? new Map<string, string>();
  if (!isLoopbackHost(host) && users.size === 0)
    throw new Error(
      `the built-in broker would listen on ${host}, reachable from other machines, with no login: give it users ` +
        `(lam run --broker-password-file FILE, lines user:password), or listen on 127.0.0.1`,
    );
  const tls = opts.tls ? { cert: readPem("broker certificate", opts.tls.cert), key: readPem("broker key", opts.tls.key) } : undefined;
  const nodeLogin = login("node");
  const feederLogin = login("feeder");
  for (const l of [nodeLogin, feederLogin]) if (users.has(l.username)) throw new Error(`user "${l.username}" is reserved`);
  const accounts = new Map([...users, [nodeLogin.username, nodeLogin.password], [feederLogin.username, feederLogin.password]]);
  // Who each connection logged in as (absent: anonymous, only possible without users).
  const identity = new WeakMap<Client, string>();
  let refusedLogins = 0;
  let refusedPublishes = 0;

  const broker = await Aedes.createBroker({
    authenticate(client, username, password, done) {
      if (username === undefined && users.size === 0) return done(null, true);
      if (username === undefined) {
        refusedLogins++;
        const err = new Error("a login is required") as AuthenticateError;
        err.returnCode = NOT_AUTHORIZED;
        return done(err, false);
      }
      const expected = accounts.get(username);
      if (expected === undefined || !samePassword(expected, password)) {
        refusedLogins++;
        const err = new Error("bad user name or password") as AuthenticateError;
        err.returnCode = BAD_LOGIN;
        return done(err, false);
      }
      identity.set(client, username);
      done(null, true);
    },
    authorizePublish(client, packet, callback) {
      const who = client ? identity.get(client) : undefined;
      const refuse = (why: string): void => {
        refusedPublishes++;
        callback(new Error(`${packet.topic}: ${why}`));
      };
      if (packet.topic.startsWith("$SYS")) return refuse("$SYS is the broker's");
      const kind = parseTopic(packet.topic);
      // The node's outputs: only the node. Its last will is checked here too, as the node's own publish.
      if (kind && kind.kind !== "sample") return who === nodeLogin.username ? callback(null) : refuse(`only the node publishes ${kind.kind}`);
      if (users.size > 0 && who === undefined) return refuse("not logged in");
      callback(null);
    },
  });
  const server: Server = tls ? createTlsServer(tls, broker.handle) : createServer(broker.handle);
  const local: Server | undefined = tls || !isLoopbackHost(host) ? createServer(broker.handle) : undefined;
  const servers = local ? [server, local] : [server];
  try {
    await listen(server, opts.port ?? 0, host);
    if (local) await listen(local, 0, "127.0.0.1");
  } catch (e) {
    // A port in use must not leave the broker's timers running (they would keep the process alive).
    await new Promise<void>((resolve) => broker.close(() => resolve()));
    for (const s of servers) if (s.listening) await new Promise<void>((resolve) => s.close(() => resolve()));
    throw e;
  }
  const port = (server.address() as AddressInfo).port;
  const urlHost = isIP(host) === 6 ? `[${host}]` : host;
  const url = `${tls ? "mqtts" : "mqtt"}://${urlHost}:${port}`;
  return {
    url,
    localUrl: local ? `mqtt://127.0.0.1:${(local.address() as AddressInfo).port}` : url,
    host,
    port,
    tls: tls !== undefined,
    nodeLogin,
    feederLogin,
    refused: () => ({ login: refusedLogins, publish: refusedPublishes }),
    async close() {
      await new Promise<void>((resolve) => broker.close(() => resolve()));
      // Aedes closing its clients ends their sockets; the servers then have nothing left to wait for.
      for (const s of servers) await new Promise<void>((resolve) => s.close(() => resolve()));
    },
  };
}

function listen(server: Server, port: number, host: string): Promise<void> {
  return new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen(port, host, () => {
      server.off("error", reject);
      resolve();
    });
  });
}
