/**
 * What registering a pool needs besides the database: the forms' input schemas, talking to the pool before
 * anything is saved (`probePool`: the pool's uuid comes from XAPI, never from the browser), the certificate it
 * presents (to pin on first use), and connection failures in words, pointing at the field to fix. The actions
 * are in lib/pools/actions.ts.
 */
import "server-only";
import { z } from "zod";
import { failure, formBoolean, optionalFormBoolean, type ActionFailure } from "@/lib/result";
import { fingerprintSchema } from "@/lib/pools/store";
import {
  CLIENT_CODES,
  describeXapiError,
  fetchCertificate,
  isXapiError,
  probePool,
  XapiCertificateError,
  type CertificateInfo,
  type PoolProbe,
} from "@/lib/xapi";

/** A certificate as the form shows it. */
export interface CertificateDto {
  fingerprint: string;
  subject: string;
  issuer: string;
  validTo: string;
  selfSigned: boolean;
  trustedByCa: boolean;
}

export interface ConnectionTestResult {
  pool: Pick<PoolProbe, "poolName" | "poolUuid" | "hostCount" | "apiVersion" | "masterUrl">;
  /** For https:// URLs: what the server presented (to pin). */
  certificate: CertificateDto | null;
}

const connectionFields = {
  url: z
    .string()
    .trim()
    .min(1, "URL is required")
    .pipe(z.url({ protocol: /^https?$/, error: "Give the http:// or https:// URL of a pool member, e.g. https://xcp-host-1" })),
  username: z.string().trim().min(1, "Username is required").max(200),
  /** Empty: not pinned (or, when editing, see `keepFingerprint`). */
  fingerprint: z
    .string()
    .optional()
    .transform((value) => value?.trim() || undefined)
    .pipe(fingerprintSchema.optional()),
};

export const testSchema = z.object({
  ...connectionFields,
  /** Empty when editing a registration: the stored password is used. */
  password: z
    .string()
    .max(1000)
    .optional()
    .transform((value) => value || undefined),
  poolId: z
    .string()
    .max(100)
    .optional()
    .transform((value) => value || undefined),
});

export const registerSchema = z.object({
  ...connectionFields,
  label: z.string().trim().min(1, "Label is required").max(100, "Label must be at most 100 characters long"),
  password: z.string().min(1, "Password is required").max(1000),
  readOnly: formBoolean,
});

export const editSchema = z.object({
  ...connectionFields,
  label: z.string().trim().min(1, "Label is required").max(100, "Label must be at most 100 characters long"),
  password: z
    .string()
    .max(1000)
    .optional()
    .transform((value) => value || undefined),
  readOnly: optionalFormBoolean,
});

function certificateDto(info: CertificateInfo): CertificateDto {
  return {
    fingerprint: info.fingerprint256,
    subject: info.subject,
    issuer: info.issuer,
    validTo: info.validTo.toISOString(),
    selfSigned: info.selfSigned,
    trustedByCa: info.trustedByCa,
  };
}

/** A failed connection as the form shows it: the message, and the field to fix. */
export function connectionFailure(error: unknown): ActionFailure {
  const message = describeXapiError(error);
  if (!isXapiError(error)) return failure(`The connection test failed: ${message}`);
  if (error.code === "SESSION_AUTHENTICATION_FAILED") {
    return failure("The pool refused the username or password.", { password: ["The pool refused the username or password"] });
  }
  if (error instanceof XapiCertificateError || error.kind === "certificate") {
    const text =
      error.code === CLIENT_CODES.certificateMismatch
        ? "The server's certificate is not the pinned one"
        : "The server's certificate is not trusted: test the connection and pin it";
    return failure(`${text}.`, { fingerprint: [text] });
  }
  if (error.kind === "transport" || error.kind === "timeout" || error.kind === "protocol") {
    return failure(`Cannot reach the pool: ${message}`, { url: [message] });
  }
  return failure(`The pool answered with an error: ${message}`);
}

export function parseUrlError(error: unknown): ActionFailure | null {
  return error instanceof TypeError ? failure(error.message, { url: [error.message] }) : null;
}

export async function certificateOf(url: string): Promise<CertificateDto | null> {
  return url.startsWith("https://") ? certificateDto(await fetchCertificate(url, { timeoutMs: 10_000 })) : null;
}

/** Probes with the form's settings; an https:// server must present the pinned certificate or one the system trusts. */
export async function probeForSave(settings: {
  url: string;
  username: string;
  password: string;
  fingerprint?: string | null;
}): Promise<PoolProbe | ActionFailure> {
  try {
    return await probePool({ url: settings.url, username: settings.username, password: settings.password, fingerprint: settings.fingerprint ?? null });
  } catch (error) {
    return parseUrlError(error) ?? connectionFailure(error);
  }
}

export const isFailure = (value: PoolProbe | ActionFailure): value is ActionFailure => "ok" in value && value.ok === false;
