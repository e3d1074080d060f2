import type { MqttTlsFiles } from "./options.js";

/** CONNACK codes that no retry can fix (MQTT 3.1.1 return codes 1, 2, 4, 5; MQTT 5 reason codes 128..140 but busy/unavailable). */
const FATAL_CONNACK = new Set([1, 2, 4, 5, 128, 129, 130, 131, 132, 133, 134, 135, 138, 140]);

const UNTRUSTED_SERVER = new Set([
  "SELF_SIGNED_CERT_IN_CHAIN",
  "DEPTH_ZERO_SELF_SIGNED_CERT",
  "UNABLE_TO_VERIFY_LEAF_SIGNATURE",
  "UNABLE_TO_GET_ISSUER_CERT",
  "UNABLE_TO_GET_ISSUER_CERT_LOCALLY",
  "CERT_SIGNATURE_FAILURE",
  "CERT_UNTRUSTED",
]);

/**
 * A connection error that retrying cannot cure (refused login, a certificate either side rejects), as one line that
 * says what to change and names the file; undefined for errors worth retrying (refused TCP, timeouts, a busy broker).
 */
export function fatalConnectError(err: unknown, tls: MqttTlsFiles): string | undefined {
  const e = err as { code?: unknown; message?: unknown } | null;
  const code = e?.code;
  const message = String(e?.message ?? err);
  if (typeof code === "number") {
    if (!FATAL_CONNACK.has(code)) return undefined;
    const why = code === 4 || code === 134 ? "bad user name or password" : code === 5 || code === 135 ? "not authorized" : message.replace(/^Connection refused: /, "");
    return `the broker refused the login (${why}, CONNACK code ${code})`;
  }
  if (typeof code !== "string") return undefined;
  if (UNTRUSTED_SERVER.has(code))
    return tls.ca
      ? `TLS: the broker's certificate is not signed by the CA in ${tls.ca} (${code})`
      : `TLS: the broker's certificate is not signed by a CA this machine trusts (${code}): give its CA file`;
  if (code === "CERT_HAS_EXPIRED" || code === "CERT_NOT_YET_VALID") return `TLS: the broker's certificate is not valid now (${code})`;
  if (code === "ERR_TLS_CERT_ALTNAME_INVALID") return `TLS: the broker's certificate is not for this host name (${message})`;
  if (code === "ERR_SSL_TLSV13_ALERT_CERTIFICATE_REQUIRED" || code === "ERR_SSL_PEER_DID_NOT_RETURN_A_CERTIFICATE")
    return tls.cert
      ? `TLS: the broker did not accept the client certificate ${tls.cert} (${code})`
      : `TLS: the broker requires a client certificate: give a certificate and its key`;
  if (/^ERR_SSL_(SSLV3|TLSV1)_ALERT_(BAD_CERTIFICATE|UNKNOWN_CA|CERTIFICATE_UNKNOWN|UNSUPPORTED_CERTIFICATE|ACCESS_DENIED|DECRYPT_ERROR)$/.test(code))
    return tls.cert
      ? `TLS: the broker refused the client certificate ${tls.cert} (${code})`
      : `TLS: the broker refused the handshake (${code}): does it require a client certificate?`;
  if (code === "ERR_SSL_WRONG_VERSION_NUMBER" || code === "ERR_SSL_PACKET_LENGTH_TOO_LONG")
    return `TLS: the broker does not speak TLS on this port (${code}): use mqtt:// or the broker's TLS port`;
  if (code.startsWith("ERR_OSSL_") || code.startsWith("ERR_SSL_")) return `TLS: ${message} (${code})`;
  return undefined;
}
