"use client";
/**
 * Forms driven by a server action (lib/actions/define.ts) through `useAction`, the one client idiom. The page (a
 * server component) writes the form's fields as children, with the `Form…` fields below: they read the last
 * answer from context to show their per-field errors. The form is not reset by a submission, so what was typed
 * stays after a failure. A success shows the action's message (or leaves, when the action redirects).
 *
 *   <ActionForm action={updateUserAction} submitLabel="Save">
 *     <input type="hidden" name="userId" value={user.id} />
 *     <FormTextField label="Display name" name="displayName" defaultValue={user.displayName} />
 *   </ActionForm>
 *
 * `ConfirmAction` is the same for one-click drastic actions (delete) behind a confirmation dialog.
 */
import { createContext, useContext, useState, type FormEvent, type ReactNode } from "react";
import type { ActionResult } from "@/lib/result";
import { Button, type ButtonVariant } from "@/lib/ui/button";
import { ConfirmDialog } from "@/lib/ui/confirm-dialog";
import { CheckboxField, SelectField, TextField, type CheckboxFieldProps, type FieldErrors, type SelectFieldProps, type TextFieldProps } from "@/lib/ui/field";
import { StatusMessage } from "@/lib/ui/status-message";
import { resultMessage, useAction } from "@/lib/ui/use-action";

/** What a form's action answers: a message to show on success, and possibly a secret to show once. */
export type FormAnswer = ActionResult<{ message?: string; shownOnce?: string }>;

const FieldErrorsContext = createContext<Record<string, string[]>>({});

/** The messages of field `name` from the enclosing ActionForm's last answer (for custom fields). */
export function useFieldError(name: string): string[] | undefined {
  return useContext(FieldErrorsContext)[name];
}

export function ActionForm({
  action,
  submitLabel,
  submitVariant = "primary",
  pendingLabel,
  className,
  inline = false,
  resetOnSuccess = false,
  children,
}: {
  action: (input: FormData) => Promise<FormAnswer>;
  submitLabel: string;
  submitVariant?: ButtonVariant;
  pendingLabel?: string;
  className?: string;
  /** Fields and button on one line (small forms in tables and toolbars). */
  inline?: boolean;
  /** Empty the fields after a success (a form that adds things one after the other). */
  resetOnSuccess?: boolean;
  children?: ReactNode;
}) {
  const { run, pending, result, fieldErrors, formError } = useAction(action);
  async function submit(event: FormEvent<HTMLFormElement>) {
    event.preventDefault();
    const form = event.currentTarget;
    const answer = await run(new FormData(form));
    if (answer.ok && resetOnSuccess) form.reset();
  }
  return (
    <FieldErrorsContext value={fieldErrors}>
      <form onSubmit={submit} className={className ?? (inline ? "flex flex-wrap items-end gap-2" : "space-y-4")} noValidate>
        {children}
        <Button type="submit" variant={submitVariant} pending={pending}>
          {pending && pendingLabel ? pendingLabel : submitLabel}
        </Button>
        <StatusMessage
          tone={result?.ok ? "success" : "error"}
          message={pending ? null : result?.ok ? resultMessage(result) : formError}
          className={inline ? "basis-full" : undefined}
        />
        {result?.ok && result.shownOnce && <ShownOnce value={result.shownOnce} />}
      </form>
    </FieldErrorsContext>
  );
}

/** A generated secret, shown once: the admin passes it on; it is not stored anywhere readable. */
function ShownOnce({ value }: { value: string }) {
  return (
    <div className="rounded-md border border-warn/35 bg-warn-soft px-3 py-2 text-sm text-warn-text">
      <p>Temporary password (shown only now, pass it on safely):</p>
      <output aria-label="Temporary password" className="mt-1 block font-mono text-base text-fg select-all">
        {value}
      </output>
    </div>
  );
}

/** A field's errors: its own, else those of the last answer. */
function useErrors(name: string | undefined, error: FieldErrors): FieldErrors {
  const errors = useContext(FieldErrorsContext);
  return error ?? (name ? errors[name] : undefined);
}

export function FormTextField(props: TextFieldProps) {
  return <TextField {...props} error={useErrors(props.name, props.error)} />;
}

export function FormSelectField(props: SelectFieldProps) {
  return <SelectField {...props} error={useErrors(props.name, props.error)} />;
}

export function FormCheckboxField(props: CheckboxFieldProps) {
  return <CheckboxField {...props} error={useErrors(props.name, props.error)} />;
}

/** Radio buttons with a legend, each with a line of explanation (account type, role). */
export function FormRadioGroup({
  legend,
  name,
  options,
  defaultValue,
}: {
  legend: string;
  name: string;
  options: { value: string; label: string; hint?: string }[];
  defaultValue?: string;
}) {
  const error = useContext(FieldErrorsContext)[name];
  const errorId = `${name}-radio-error`;
  return (
    <fieldset className="space-y-1.5" aria-describedby={errorId}>
      <legend className="mb-1 text-xs font-medium">{legend}</legend>
      {options.map((option) => (
        <label key={option.value} className="flex items-start gap-2 text-sm">
          <input
            type="radio"
            name={name}
            value={option.value}
            defaultChecked={defaultValue === option.value}
            className="mt-0.5 size-4 shrink-0 accent-accent"
          />
          <span>
            {option.label}
            {option.hint && <span className="block text-xs text-muted">{option.hint}</span>}
          </span>
        </label>
      ))}
      <div id={errorId} aria-live="polite" className="text-xs text-error-text">
        {error?.[0]}
      </div>
    </fieldset>
  );
}

/**
 * A drastic action behind a confirmation dialog; a refusal or error is shown next to the button. On success the
 * server action usually redirects; otherwise `doneMessage` is shown.
 */
export function ConfirmAction<I, Out extends object>({
  action,
  input,
  triggerLabel,
  title,
  confirmLabel,
  doneMessage = "Done.",
  children,
}: {
  action: (input: I) => Promise<ActionResult<Out>>;
  input: I;
  triggerLabel: string;
  title: string;
  confirmLabel: string;
  doneMessage?: string;
  children?: ReactNode;
}) {
  const [result, setResult] = useState<ActionResult<Out> | null>(null);
  return (
    <div className="space-y-2">
      <ConfirmDialog
        triggerLabel={triggerLabel}
        triggerVariant="danger"
        title={title}
        confirmLabel={confirmLabel}
        onConfirm={() => action(input)}
        onDone={setResult}
      >
        {children}
      </ConfirmDialog>
      <StatusMessage tone={result?.ok ? "success" : "error"} message={result ? (result.ok ? doneMessage : result.error) : null} />
    </div>
  );
}
