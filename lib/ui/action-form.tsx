"use client";
/**
 * Forms of the administration pages, driven by a server action through `useActionState`. The page (a server
 * component) writes the form's fields as children, with the `Form…` fields below: they read the action's last
 * result from context to show their per-field errors and to refill what was typed after a failure.
 *
 *   <ActionForm action={updateUserAction} submitLabel="Save">
 *     <input type="hidden" name="userId" value={user.id} />
 *     <FormTextField label="Display name" name="displayName" defaultValue={user.displayName} />
 *   </ActionForm>
 *
 * `ConfirmAction` is the same for one-click drastic actions (delete) behind a confirmation dialog.
 */
import { createContext, useActionState, useContext, useState, type ReactNode } from "react";
import { Button, type ButtonVariant } from "@/lib/ui/button";
import { ConfirmDialog } from "@/lib/ui/confirm-dialog";
import { CheckboxField, SelectField, TextField, type CheckboxFieldProps, type FieldErrors, type SelectFieldProps, type TextFieldProps } from "@/lib/ui/field";
import { StatusMessage } from "@/lib/ui/status-message";
import type { MutationResult } from "@/lib/actions/result";
import type { FormState } from "@/lib/actions/form-state";

const FormStateContext = createContext<FormState>(null);

const fieldError = (state: FormState, name: string | undefined) => (state && !state.ok && name ? state.fieldErrors?.[name] : undefined);
const typedValue = (state: FormState, name: string | undefined) => (state && !state.ok && name ? state.values?.[name] : undefined);

/** The messages of field `name` from the enclosing ActionForm's last result (for custom fields). */
export function useFieldError(name: string): string[] | undefined {
  return fieldError(useContext(FormStateContext), name);
}

export function ActionForm({
  action,
  submitLabel,
  submitVariant = "primary",
  pendingLabel,
  className,
  inline = false,
  children,
}: {
  action: (previous: FormState, formData: FormData) => Promise<FormState>;
  submitLabel: string;
  submitVariant?: ButtonVariant;
  pendingLabel?: string;
  className?: string;
  /** Fields and button on one line (small forms in tables and toolbars). */
  inline?: boolean;
  children?: ReactNode;
}) {
  const [state, formAction, pending] = useActionState(action, null);
  const message = state ? (state.ok ? state.message : state.error) : null;
  return (
    <FormStateContext value={state}>
      <form action={formAction} className={className ?? (inline ? "flex flex-wrap items-end gap-2" : "space-y-4")} noValidate>
        {children}
        <Button type="submit" variant={submitVariant} pending={pending}>
          {pending && pendingLabel ? pendingLabel : submitLabel}
        </Button>
        <StatusMessage tone={state?.ok ? "success" : "error"} message={message} className={inline ? "basis-full" : undefined} />
        {state?.ok && state.shownOnce && <ShownOnce value={state.shownOnce} />}
      </form>
    </FormStateContext>
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

/** What a field shows after a failed submission: the typed value back (remounting the control) and its errors. */
function useFieldState(name: string | undefined, error: FieldErrors, defaultValue: unknown) {
  const state = useContext(FormStateContext);
  const typed = typedValue(state, name);
  return {
    key: typed === undefined ? "initial" : `typed-${typed}`,
    field: { defaultValue: (typed ?? defaultValue) as string | undefined, error: error ?? fieldError(state, name) },
  };
}

export function FormTextField(props: TextFieldProps) {
  const { key, field } = useFieldState(props.name, props.error, props.defaultValue);
  return <TextField key={key} {...props} {...field} />;
}

export function FormSelectField(props: SelectFieldProps) {
  const { key, field } = useFieldState(props.name, props.error, props.defaultValue);
  return <SelectField key={key} {...props} {...field} />;
}

/** A checkbox; after a failed submission it is refilled as it was sent (`values[name]`: "on" when checked). */
export function FormCheckboxField(props: CheckboxFieldProps) {
  const state = useContext(FormStateContext);
  const typed = typedValue(state, props.name);
  return (
    <CheckboxField
      key={typed === undefined ? "initial" : `typed-${typed}`}
      {...props}
      defaultChecked={typed === undefined ? props.defaultChecked : typed === "on"}
      error={props.error ?? fieldError(state, props.name)}
    />
  );
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
  const state = useContext(FormStateContext);
  const typed = typedValue(state, name);
  const error = fieldError(state, name);
  const errorId = `${name}-radio-error`;
  return (
    <fieldset className="space-y-1.5" aria-describedby={errorId} key={typed ?? "initial"}>
      <legend className="mb-1 text-xs font-medium">{legend}</legend>
      {options.map((option) => (
        <label key={option.value} className="flex items-start gap-2 text-sm">
          <input
            type="radio"
            name={name}
            value={option.value}
            defaultChecked={(typed ?? defaultValue) === option.value}
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
export function ConfirmAction<I>({
  action,
  input,
  triggerLabel,
  title,
  confirmLabel,
  doneMessage = "Done.",
  children,
}: {
  action: (input: I) => Promise<MutationResult>;
  input: I;
  triggerLabel: string;
  title: string;
  confirmLabel: string;
  doneMessage?: string;
  children?: ReactNode;
}) {
  const [result, setResult] = useState<MutationResult | null>(null);
  return (
    <div className="space-y-2">
      <ConfirmDialog
        triggerLabel={triggerLabel}
        triggerVariant="danger"
        title={title}
        confirmLabel={confirmLabel}
        onConfirm={() => action(input)}
        onDone={setResult}
        onError={() => setResult({ ok: false, error: "The request failed. Check your connection and try again." })}
      >
        {children}
      </ConfirmDialog>
      <StatusMessage tone={result?.ok ? "success" : "error"} message={result ? (result.ok ? doneMessage : result.error) : null} />
    </div>
  );
}
