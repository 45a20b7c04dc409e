/**
 * What an administration server action hands back to its form (through `useActionState`): a success message,
 * or the error and per-field messages to show. Plain data, importable by client components.
 */
import type { MutationResult } from "@/lib/actions/result";

export type FormState =
  | null
  | {
      ok: true;
      message: string;
      /** Something to show once and never again (a generated temporary password). */
      shownOnce?: string;
    }
  | {
      ok: false;
      error: string;
      fieldErrors?: Record<string, string[]>;
      /** What was typed (never passwords), to refill the form React resets after each submission. */
      values?: Record<string, string>;
    };

/** The form state for a mutation's result. */
export function formState(result: MutationResult, message: string, values?: Record<string, string>): FormState {
  if (result.ok) return { ok: true, message };
  return { ok: false, error: result.error, ...(result.fieldErrors ? { fieldErrors: result.fieldErrors } : {}), ...(values ? { values } : {}) };
}
