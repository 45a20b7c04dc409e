/**
 * Form fields with their label, hint and per-field error messages. Usable from server components and from client
 * forms driven by `useActionState` (no hooks beyond useId). Errors come straight from zod's flattened field
 * errors (`string[]`), are shown under the field in a live region, mark the control `aria-invalid`, and are
 * linked to it with `aria-describedby`.
 *
 *   <TextField label="Pool address" name="url" required error={state?.fieldErrors?.url}
 *              hint="Any member of the pool; https:// by default." defaultValue={state?.values?.url} />
 */
import { useId, type ComponentProps, type ReactNode } from "react";
import { cx } from "./classes";

export type FieldErrors = string | string[] | null | undefined;

function errorList(error: FieldErrors): string[] {
  if (!error) return [];
  return (Array.isArray(error) ? error : [error]).filter(Boolean);
}

/** Classes for text-like inputs and selects, for custom controls (e.g. the VM list's search box). */
export const inputClasses = cx(
  "h-8 w-full rounded-md border border-line-strong bg-surface px-2.5 text-sm text-fg",
  "placeholder:text-muted/80 hover:border-muted/60",
  "aria-invalid:border-error aria-invalid:bg-error-soft/40",
  "disabled:cursor-not-allowed disabled:opacity-60 read-only:bg-sunken",
);

/** The error messages of one field, in a live region that always exists. */
export function FieldError({ id, error }: { id: string; error: FieldErrors }) {
  const messages = errorList(error);
  return (
    <div id={id} aria-live="polite" aria-atomic="true" className="text-xs text-error-text">
      {messages.length === 1 ? <p>{messages[0]}</p> : null}
      {messages.length > 1 ? (
        <ul className="list-disc pl-4">
          {messages.map((m) => (
            <li key={m}>{m}</li>
          ))}
        </ul>
      ) : null}
    </div>
  );
}

interface FieldFrameProps {
  label: ReactNode;
  hint?: ReactNode;
  error?: FieldErrors;
  required?: boolean;
  className?: string;
}

interface FieldA11y {
  id: string;
  "aria-invalid": true | undefined;
  "aria-describedby": string | undefined;
}

/** Ids of a control, its hint and its error region, and the attributes that tie them together. */
function useFieldIds(hint: ReactNode, error: FieldErrors) {
  const id = useId();
  const hintId = `${id}-hint`;
  const errorId = `${id}-error`;
  const a11y: FieldA11y = {
    id,
    "aria-invalid": errorList(error).length > 0 || undefined,
    "aria-describedby": cx(hint ? hintId : undefined, errorId),
  };
  return { hintId, errorId, a11y };
}

/** Label + control + hint + errors. `render` receives the ids and aria attributes the control must carry. */
function FieldFrame({
  label,
  hint,
  error,
  required,
  className,
  render,
}: FieldFrameProps & {
  render: (a11y: FieldA11y) => ReactNode;
}) {
  const { hintId, errorId, a11y } = useFieldIds(hint, error);
  return (
    <div className={cx("space-y-1", className)}>
      <label htmlFor={a11y.id} className="block text-xs font-medium">
        {label}
        {required && (
          <span aria-hidden="true" className="text-error-text">
            {" "}
            *
          </span>
        )}
      </label>
      {render(a11y)}
      {hint && (
        <p id={hintId} className="text-xs text-muted">
          {hint}
        </p>
      )}
      <FieldError id={errorId} error={error} />
    </div>
  );
}

export type TextFieldProps = FieldFrameProps & Omit<ComponentProps<"input">, "id" | "className">;

/** Separates the frame's props (label, hint, …) from those of the control. */
function splitFrame<T extends FieldFrameProps>({ label, hint, error, required, className, ...control }: T) {
  return [{ label, hint, error, required, className }, control] as const;
}

export function TextField(props: TextFieldProps) {
  const [frame, input] = splitFrame(props);
  return <FieldFrame {...frame} render={(a11y) => <input {...input} {...a11y} required={frame.required} className={inputClasses} />} />;
}

export interface SelectOption {
  value: string;
  label: string;
  disabled?: boolean;
}

export type SelectFieldProps = FieldFrameProps &
  Omit<ComponentProps<"select">, "id" | "className" | "children"> & {
    options: SelectOption[];
    /** A first, empty choice ("Choose a host…"). */
    placeholder?: string;
  };

export function SelectField(props: SelectFieldProps) {
  const [frame, { options, placeholder, ...select }] = splitFrame(props);
  return (
    <FieldFrame
      {...frame}
      render={(a11y) => (
        <select {...select} {...a11y} required={frame.required} className={cx(inputClasses, "pr-8")}>
          {placeholder !== undefined && <option value="">{placeholder}</option>}
          {options.map((o) => (
            <option key={o.value} value={o.value} disabled={o.disabled}>
              {o.label}
            </option>
          ))}
        </select>
      )}
    />
  );
}

export type CheckboxFieldProps = Omit<FieldFrameProps, "required"> & Omit<ComponentProps<"input">, "id" | "className" | "type">;

/** A checkbox with its label to the right (e.g. "Read-only: never change anything on this pool"). */
export function CheckboxField({ label, hint, error, className, ...input }: CheckboxFieldProps) {
  const { hintId, errorId, a11y } = useFieldIds(hint, error);
  return (
    <div className={cx("space-y-1", className)}>
      <div className="flex items-start gap-2">
        <input {...input} {...a11y} type="checkbox" className="mt-0.5 size-4 shrink-0 accent-accent" />
        <div className="space-y-0.5">
          <label htmlFor={a11y.id} className="text-sm">
            {label}
          </label>
          {hint && (
            <p id={hintId} className="text-xs text-muted">
              {hint}
            </p>
          )}
        </div>
      </div>
      <FieldError id={errorId} error={error} />
    </div>
  );
}
