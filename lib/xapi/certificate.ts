/**
 * Trust on first use: what the registration form shows before the admin pins a certificate.
 * Connects without sending anything, reads the presented certificate and closes.
 */
import { parsePoolUrl } from "./client";
import { CLIENT_CODES, XapiCertificateError, XapiTransportError } from "./errors";
import { assertTrusted, connectTls, describeAuthorizationError } from "./tls";

export interface CertificateInfo {
  /** SHA-256, colon-separated upper-case hex (Node's `fingerprint256`): the value to pin. */
  fingerprint256: string;
  subject: string;
  issuer: string;
  validFrom: Date;
  validTo: Date;
  /** Subject alternative names as the certificate lists them (`IP Address:10.0.0.1, DNS:xcp1`). */
  subjectAltName?: string;
  selfSigned: boolean;
  /** Verifies against the system CAs for this host name (no pin needed). */
  trustedByCa: boolean;
  /** Why it does not verify, when it does not. */
  verificationError?: string;
}

export async function fetchCertificate(url: string, options: { timeoutMs?: number } = {}): Promise<CertificateInfo> {
  const target = parsePoolUrl(url);
  if (target.protocol !== "https:") throw new TypeError("only https:// URLs have a certificate");
  const host = target.hostname.replace(/^\[(.*)\]$/, "$1");
  const socket = await new Promise<import("node:tls").TLSSocket>((resolve, reject) => {
    connectTls({ host, port: Number(target.port) || 443, timeoutMs: options.timeoutMs ?? 10_000 }, (error, socket) => {
      if (error) {
        socket.destroy();
        const code = (error as NodeJS.ErrnoException).code;
        reject(new XapiTransportError(`Cannot reach ${target.host}: ${error.message}`, { errno: code, notSent: true, cause: error }));
      } else resolve(socket);
    });
  });
  try {
    const cert = socket.getPeerCertificate();
    if (!cert?.fingerprint256) throw new XapiCertificateError(CLIENT_CODES.certificateUntrusted, `${target.host} presented no certificate`);
    let verificationError: string | undefined;
    try {
      assertTrusted(socket, host, { pinned: new Set() });
    } catch (error) {
      verificationError = socket.authorizationError
        ? describeAuthorizationError(String(socket.authorizationError))
        : error instanceof Error
          ? error.message
          : String(error);
    }
    const name = (dn: Record<string, string | string[]> | undefined) =>
      Object.entries(dn ?? {})
        .map(([key, value]) => `${key}=${Array.isArray(value) ? value.join("+") : value}`)
        .join(", ");
    return {
      fingerprint256: cert.fingerprint256,
      subject: name(cert.subject as unknown as Record<string, string>),
      issuer: name(cert.issuer as unknown as Record<string, string>),
      validFrom: new Date(cert.valid_from),
      validTo: new Date(cert.valid_to),
      subjectAltName: cert.subjectaltname,
      selfSigned: name(cert.subject as unknown as Record<string, string>) === name(cert.issuer as unknown as Record<string, string>),
      trustedByCa: verificationError === undefined,
      verificationError,
    };
  } finally {
    socket.destroy();
  }
}
