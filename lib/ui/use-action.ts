"use client";

/**
 * THE way a client component calls a server action (lib/actions/define.ts): forms, dialogs and buttons all use
 * this hook, so pending state, results, field errors and failed requests behave the same everywhere.
 *
 *   const start = useAction(vmOperationAction);
 *   <Button pending={start.pending} onClick={() => start.run({ operation: "start", vm: uuid })}>Start</Button>
 *   <StatusMessage tone={start.result?.ok ? "success" : "error"} message={resultMessage(start.result)} />
 *
 * `run` never throws: a request that does not reach the server answers `REQUEST_FAILED`. It does not refresh the
 * page: actions on pools are followed by the live stream, database actions revalidate on the server.
 */
import { useCallback, useState, useTransition } from "react";
import type { ActionResult } from "@/lib/result";

export const REQUEST_FAILED = "The request did not reach XenDeck; check your connection and try again.";

export interface ActionHandle<In, Out extends object> {
  run: (input: In) => Promise<ActionResult<Out>>;
  pending: boolean;
  /** The last answer (null before the first, and after `reset`). */
  result: ActionResult<Out> | null;
  /** Per-field messages of the last answer. */
  fieldErrors: Record<string, string[]>;
  /** The last failure's sentence, unless it only repeats a field's message (then the field shows it). */
  formError: string | null;
  reset: () => void;
}

const NO_ERRORS: Record<string, string[]> = {};

/** Next.js navigates (redirect(), notFound()) by throwing errors with these digests: they must go through. */
function isNavigation(error: unknown): boolean {
  const digest = (error as { digest?: unknown } | null)?.digest;
  return typeof digest === "string" && (digest.startsWith("NEXT_REDIRECT") || digest.startsWith("NEXT_HTTP_ERROR_FALLBACK"));
}

export function useAction<In, Out extends object>(action: (input: In) => Promise<ActionResult<Out>>): ActionHandle<In, Out> {
  const [pending, startTransition] = useTransition();
  const [result, setResult] = useState<ActionResult<Out> | null>(null);

  const run = useCallback(
    (input: In) =>
      new Promise<ActionResult<Out>>((resolve, reject) => {
        startTransition(async () => {
          let answer: ActionResult<Out>;
          try {
            answer = (await action(input)) ?? ({ ok: true } as ActionResult<Out>);
          } catch (error) {
            if (isNavigation(error)) return reject(error);
            answer = { ok: false, error: REQUEST_FAILED, code: "REQUEST_FAILED" };
          }
          setResult(answer);
          resolve(answer);
        });
      }),
    [action],
  );

  const fieldErrors = result && !result.ok ? (result.fieldErrors ?? NO_ERRORS) : NO_ERRORS;
  const repeated = result && !result.ok && Object.values(fieldErrors).some((messages) => messages.includes(result.error));
  return {
    run,
    pending,
    result,
    fieldErrors,
    formError: result && !result.ok && !repeated ? result.error : null,
    reset: useCallback(() => setResult(null), []),
  };
}

/** The sentence to show for an answer: its message on success (when it has one), its error otherwise. */
export function resultMessage(result: ActionResult<{ message?: string }> | null): string | null {
  if (!result) return null;
  return result.ok ? (result.message ?? null) : result.error;
}
