// A real Mosquitto closed to strangers, for the security tests: TLS with a CA, server and client certificates made
// here with openssl, a password file made with mosquitto_passwd, and the ACL of docs/mqtt-security.md (read from
// the document itself, so the documented configuration is the tested one).
import { execFileSync } from "node:child_process";
import { existsSync, readFileSync } from "node:fs";
import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir, userInfo } from "node:os";
import path from "node:path";
import { freePort, MOSQUITTO_BIN } from "./mosquitto.js";
import { launchMosquitto } from "./mosquitto-pause.js";

const PASSWD_BIN = ["/usr/bin/mosquitto_passwd", "/usr/sbin/mosquitto_passwd"].find((p) => existsSync(p));
const OPENSSL_BIN = ["/usr/bin/openssl", "/usr/local/bin/openssl"].find((p) => existsSync(p));
export const SECURE_MOSQUITTO_MISSING = [
  MOSQUITTO_BIN ? "" : "mosquitto",
  PASSWD_BIN ? "" : "mosquitto_passwd",
  OPENSSL_BIN ? "" : "openssl",
].filter(Boolean);

/** The files of a small PKI: one CA signing the broker's and one client's certificate, and an unrelated CA. */
export interface Pki {
  readonly dir: string;
  readonly ca: string;
  readonly serverCert: string;
  readonly serverKey: string;
  readonly clientCert: string;
  readonly clientKey: string;
  /** A CA that signed nothing here: trusting only it must fail the handshake. */
  readonly otherCa: string;
  /** A client certificate signed by otherCa: the broker must refuse it. */
  readonly strangerCert: string;
  readonly strangerKey: string;
}

function openssl(cwd: string, ...args: string[]): void {
  execFileSync(OPENSSL_BIN!, args, { cwd, stdio: ["ignore", "ignore", "pipe"] });
}

function keyAndCsr(dir: string, name: string, cn: string): void {
  openssl(dir, "req", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1", "-nodes", "-keyout", `${name}.key`, "-out", `${name}.csr`, "-subj", `/CN=${cn}`);
}

async function sign(dir: string, name: string, ca: string, ext: string): Promise<void> {
  await writeFile(path.join(dir, `${name}.ext`), ext + "\n");
  openssl(dir, "x509", "-req", "-in", `${name}.csr`, "-CA", `${ca}.crt`, "-CAkey", `${ca}.key`, "-CAcreateserial", "-out", `${name}.crt`, "-days", "2", "-extfile", `${name}.ext`);
}

function selfSignedCa(dir: string, name: string, cn: string): void {
  openssl(dir, "req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1", "-nodes", "-keyout", `${name}.key`, "-out", `${name}.crt`, "-days", "2", "-subj", `/CN=${cn}`);
}

/** Makes the PKI in a fresh temporary folder (EC P-256: a few ms per key). */
export async function makePki(): Promise<Pki> {
  const dir = await mkdtemp(path.join(tmpdir(), "lam-pki-"));
  selfSignedCa(dir, "ca", "lam test CA");
  selfSignedCa(dir, "other-ca", "somebody else's CA");
  keyAndCsr(dir, "server", "localhost");
  await sign(dir, "server", "ca", "subjectAltName=IP:127.0.0.1,DNS:localhost\nextendedKeyUsage=serverAuth");
  keyAndCsr(dir, "client", "car1-stack");
  await sign(dir, "client", "ca", "extendedKeyUsage=clientAuth");
  keyAndCsr(dir, "stranger", "stranger");
  await sign(dir, "stranger", "other-ca", "extendedKeyUsage=clientAuth");
  const f = (n: string) => path.join(dir, n);
  return {
    dir,
    ca: f("ca.crt"),
    serverCert: f("server.crt"),
    serverKey: f("server.key"),
    clientCert: f("client.crt"),
    clientKey: f("client.key"),
    otherCa: f("other-ca.crt"),
    strangerCert: f("stranger.crt"),
    strangerKey: f("stranger.key"),
  };
}

/** The ACL block of docs/mqtt-security.md (the fenced block that starts with "# acl_file"), for vehicle `car1`. */
export function documentedAcl(): string {
  const doc = readFileSync(new URL("../../docs/mqtt-security.md", import.meta.url), "utf8");
  const m = /```\w*\n(# acl_file[\s\S]*?)```/.exec(doc);
  if (!m) throw new Error("docs/mqtt-security.md: no fenced block starting with '# acl_file'");
  return m[1]!;
}

/** The accounts of the documented ACL, each with a password file holding just its password. */
export const ACCOUNTS = {
  node: { username: "lam-node-car1", password: "n0de-Pass-1" },
  stack: { username: "car1-stack", password: "st4ck-Pass-2" },
  viewer: { username: "viewer", password: "v1ewer-Pass-3" },
} as const;

export interface SecureMosquitto {
  /** mqtts://127.0.0.1:<port> */
  readonly url: string;
  readonly port: number;
  readonly pki: Pki;
  /** Files holding each account's password (what --mqtt-password-file reads). */
  readonly passwordFiles: Readonly<Record<keyof typeof ACCOUNTS, string>>;
  /** SIGSTOP / SIGCONT the broker: it keeps its sockets but answers nothing. */
  pause(): void;
  resume(): void;
  stop(): Promise<void>;
}

export async function startSecureMosquitto(opts: { requireCertificate?: boolean } = {}): Promise<SecureMosquitto> {
  if (SECURE_MOSQUITTO_MISSING.length > 0) throw new Error(`missing: ${SECURE_MOSQUITTO_MISSING.join(", ")} (run scripts/test-deps.sh)`);
  const pki = await makePki();
  const dir = pki.dir;
  const passwd = path.join(dir, "passwd");
  const passwordFiles = {} as Record<keyof typeof ACCOUNTS, string>;
  let first = true;
  for (const [who, { username, password }] of Object.entries(ACCOUNTS) as [keyof typeof ACCOUNTS, { username: string; password: string }][]) {
    execFileSync(PASSWD_BIN!, [...(first ? ["-c"] : []), "-b", passwd, username, password], { stdio: ["ignore", "ignore", "pipe"] });
    first = false;
    passwordFiles[who] = path.join(dir, `${who}.password`);
    await writeFile(passwordFiles[who], password + "\n", { mode: 0o600 });
  }
  const acl = path.join(dir, "acl");
  await writeFile(acl, documentedAcl());
  const port = await freePort();
  const conf = path.join(dir, "mosquitto.conf");
  await writeFile(
    conf,
    [
      // Started as root, mosquitto would switch to the "mosquitto" user, who cannot read this private folder.
      `user ${userInfo().username}`,
      `listener ${port} 127.0.0.1`,
      `cafile ${pki.ca}`,
      `certfile ${pki.serverCert}`,
      `keyfile ${pki.serverKey}`,
      `require_certificate ${opts.requireCertificate === false ? "false" : "true"}`,
      "allow_anonymous false",
      `password_file ${passwd}`,
      `acl_file ${acl}`,
      "persistence false",
      "log_dest stderr",
      "log_type error",
      "log_type warning",
      "",
    ].join("\n"),
  );
  const broker = await launchMosquitto(port, conf);
  return {
    ...broker,
    url: `mqtts://127.0.0.1:${port}`,
    pki,
    passwordFiles,
    async stop() {
      await broker.stop();
      await rm(dir, { recursive: true, force: true });
    },
  };
}
