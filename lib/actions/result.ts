/**
 * The result every mutation returns to the form that called it: success with data, or a message and per-field
 * messages to show (issue: "forms validate input (zod) and say what is wrong").
 */
import { z } from "zod";

export interface MutationFailure {
  ok: false;
  /** A sentence for the user. Never contains secrets. */
  error: string;
  /** Messages per input field name. */
  fieldErrors?: Record<string, string[]>;
}

export type MutationResult<T extends object = object> = ({ ok: true } & T) | MutationFailure;

export function failure(error: string, fieldErrors?: Record<string, string[]>): MutationFailure {
  return fieldErrors ? { ok: false, error, fieldErrors } : { ok: false, error };
}

/** A failure listing what zod found wrong with the input. */
export function invalidInput(error: z.ZodError): MutationFailure {
  const fieldErrors = z.flattenError(error).fieldErrors as Record<string, string[]>;
  const formErrors = z.flattenError(error).formErrors;
  return failure(formErrors[0] ?? "Please correct the highlighted fields.", fieldErrors);
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
