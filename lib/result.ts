/**
 * The one result of every server action (and of the functions behind them): success with data, or a sentence
 * and per-field messages to show. Plain data, importable by client components.
 */
import { z } from "zod";

export interface ActionFailure {
  ok: false;
  /** A sentence for the user. Never contains secrets. */
  error: string;
  /** Messages per input field name (from zod, or from a rule such as "this username is taken"). */
  fieldErrors?: Record<string, string[]>;
  /** A stable code (a XAPI error code, NOT_FOUND...), for the audit log and for tests. */
  code?: string;
  /** The main step was done before the failure (see FollowUpError in lib/actions/define.ts). */
  followUp?: boolean;
}

export type ActionResult<T extends object = object> = ({ ok: true } & T) | ActionFailure;

export function failure(error: string, fieldErrors?: Record<string, string[]>, code?: string): ActionFailure {
  return { ok: false, error, ...(fieldErrors ? { fieldErrors } : {}), ...(code ? { code } : {}) };
}

/** Failures that are refusals (audited as `refused`, not `error`), remembered by identity: nothing is sent. */
const refusals = new WeakSet<ActionFailure>();

/** A refusal decided by an action's own rules (a destination the user may not use...). */
export function refusal(code: string, error: string, fieldErrors?: Record<string, string[]>): ActionFailure {
  const result = failure(error, fieldErrors, code);
  refusals.add(result);
  return result;
}

export function isRefusalResult(result: ActionFailure): boolean {
  return refusals.has(result);
}

/** A failure listing what zod found wrong with the input. */
export function invalidInput(error: z.ZodError): ActionFailure {
  const flat = z.flattenError(error);
  const fieldErrors = flat.fieldErrors as Record<string, string[]>;
  return failure(flat.formErrors[0] ?? firstFieldError(fieldErrors) ?? "Please correct the highlighted fields.", fieldErrors, "INVALID_INPUT");
}

function firstFieldError(fieldErrors: Record<string, string[]>): string | undefined {
  const entries = Object.values(fieldErrors);
  return entries.length === 1 ? entries[0]?.[0] : undefined;
}

/** A boolean from JSON or from a form (checkbox "on", "true"/"false", "1"/"0", absent = false). */
export const formBoolean = z
  .union([z.boolean(), z.enum(["on", "true", "1", "off", "false", "0", ""])])
  .optional()
  .transform((value) => value === true || value === "on" || value === "true" || value === "1");

/** An optional boolean: absent stays undefined (for partial updates). */
export const optionalFormBoolean = z
  .union([z.boolean(), z.enum(["on", "true", "1", "off", "false", "0"])])
  .optional()
  .transform((value) => (value === undefined ? undefined : value === true || value === "on" || value === "true" || value === "1"));
