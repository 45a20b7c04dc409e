/**
 * TLS trust for XAPI hosts. Two policies, never "accept anything":
 * - no pinned fingerprint: the certificate must verify against the system CAs and match the host name;
 * - pinned SHA-256 fingerprint(s): the certificate must be exactly one of them (fresh XCP-ng hosts have
 *   self-signed certificates; the admin pins the one shown at registration: trust on first use).
 * The decision is taken on the raw TLS socket before any byte of a request is written.
 */
import { isIP } from "node:net";
import tls from "node:tls";
import { CLIENT_CODES, XapiCertificateError } from "./errors";

/** `aa:bb…`, `AABB…` or `sha256/AA:BB…` → `AA:BB:…` (the form of Node's `fingerprint256`); null when not a SHA-256. */
export function normalizeFingerprint(input: string): string | null {
  const hex = input
    .trim()
    .replace(/^sha-?256[:/ ]?/i, "")
    .replace(/[:\s]/g, "")
    .toUpperCase();
  if (!/^[0-9A-F]{64}$/.test(hex)) return null;
  return hex.match(/../g)!.join(":");
}

export interface TrustPolicy {
  /** Accepted SHA-256 fingerprints (normalized). Empty: verify with the system CAs. */
  pinned: ReadonlySet<string>;
}

/** Throws the certificate error that applies to this connected socket, if any. */
export function assertTrusted(socket: tls.TLSSocket, host: string, policy: TrustPolicy): void {
  const cert = socket.getPeerCertificate();
  const presented = cert?.fingerprint256;
  if (!presented) throw new XapiCertificateError(CLIENT_CODES.certificateUntrusted, `${host} presented no TLS certificate`);
  if (policy.pinned.size > 0) {
    if (policy.pinned.has(presented)) return;
    throw new XapiCertificateError(
      CLIENT_CODES.certificateMismatch,
      `The TLS certificate of ${host} is not the pinned one (it presents SHA-256 ${presented}). ` +
        "If the host's certificate was legitimately replaced, check and pin the new fingerprint.",
      presented,
    );
  }
  const identityError = socket.authorized ? tls.checkServerIdentity(host, cert) : undefined;
  if (!socket.authorized || identityError) {
    const reason = socket.authorizationError ? describeAuthorizationError(String(socket.authorizationError)) : (identityError?.message ?? "not trusted");
    throw new XapiCertificateError(
      CLIENT_CODES.certificateUntrusted,
      `The TLS certificate of ${host} cannot be verified (${reason}). ` +
        `If this is the host's own self-signed certificate, pin its SHA-256 fingerprint ${presented}.`,
      presented,
    );
  }
}

const AUTHORIZATION_ERRORS: Record<string, string> = {
  DEPTH_ZERO_SELF_SIGNED_CERT: "self-signed certificate",
  SELF_SIGNED_CERT_IN_CHAIN: "self-signed certificate in the chain",
  UNABLE_TO_VERIFY_LEAF_SIGNATURE: "issued by an unknown authority",
  UNABLE_TO_GET_ISSUER_CERT_LOCALLY: "issued by an unknown authority",
  CERT_HAS_EXPIRED: "certificate expired",
  CERT_NOT_YET_VALID: "certificate not yet valid",
};

/** OpenSSL's verification code → words (the code stays in brackets for searching). */
export function describeAuthorizationError(code: string): string {
  const words = AUTHORIZATION_ERRORS[code];
  return words ? `${words} [${code}]` : code;
}

export interface TlsConnectTarget {
  host: string;
  port: number;
  timeoutMs: number;
}

/** Opens a TLS connection without the built-in verification; the caller decides trust with `assertTrusted`. */
export function connectTls(target: TlsConnectTarget, onSecure: (error: Error | null, socket: tls.TLSSocket) => void): tls.TLSSocket {
  const socket = tls.connect({
    host: target.host,
    port: target.port,
    servername: isIP(target.host) ? undefined : target.host,
    rejectUnauthorized: false, // verified by assertTrusted() before anything is written
    minVersion: "TLSv1.2",
  });
  let done = false;
  const finish = (error: Error | null) => {
    if (done) return;
    done = true;
    socket.setTimeout(0);
    onSecure(error, socket);
  };
  socket.setTimeout(target.timeoutMs, () => {
    const error = Object.assign(new Error(`TLS handshake with ${target.host} timed out`), { code: "ETIMEDOUT" });
    socket.destroy(error);
    finish(error);
  });
  socket.once("secureConnect", () => finish(null));
  socket.once("error", (error) => finish(error));
  return socket;
}
