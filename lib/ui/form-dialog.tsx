"use client";

/**
 * A button that opens a small form in a modal <dialog> (name a snapshot, pick a host, type a name to confirm a
 * delete): ConfirmDialog's sibling for actions that need input. Focus moves to the first field, Escape and
 * Cancel close it, focus returns to the trigger. Submitting runs `onSubmit` with the form's data; while it runs
 * the submit button shows a spinner (and `progress`, if given, says what is happening) and the dialog stays
 * open. An answer with `fieldErrors` or `error` keeps it open and shows them; success closes it.
 *
 *   <FormDialog triggerLabel="Clone" title="Clone web-01" submitLabel="Clone"
 *               onSubmit={(data) => cloneVm({ vm: uuid, name: data.get("name") })}>
 *     {(errors) => <TextField label="Name" name="name" defaultValue="web-01 (clone)" error={errors.name} required />}
 *   </FormDialog>
 *
 * The fields are re-mounted at every opening, so `defaultValue`s start afresh.
 */
import { useEffect, useId, useRef, useState, useTransition, type FormEvent, type ReactNode } from "react";
import { Button, type ButtonVariant } from "./button";
import type { IconName } from "./icons";
import { DialogFooter, DialogTitle, ModalDialog } from "./modal-dialog";
import { StatusMessage } from "./status-message";

export type FormDialogResult = { ok: true } | { ok: false; error?: string; fieldErrors?: Record<string, string[]> };

export interface FormDialogProps {
  triggerLabel: string;
  triggerVariant?: ButtonVariant;
  triggerIcon?: IconName;
  /** Makes the trigger unavailable, with the reason (see Button). */
  disabledReason?: string | null;
  title: string;
  /** What the action does, above the fields. */
  description?: ReactNode;
  submitLabel: string;
  submitVariant?: ButtonVariant;
  cancelLabel?: string;
  /** Called on every opening (e.g. to compute a default name from the current time). */
  onOpen?: () => void;
  onSubmit: (data: FormData) => Promise<FormDialogResult>;
  /** Called if `onSubmit` throws (e.g. the network is down): its message is shown in the dialog. */
  errorMessage?: (error: unknown) => string;
  /** Shown while `onSubmit` runs (e.g. a ProgressBar). */
  progress?: ReactNode;
  /** The fields, given the current per-field errors. */
  children: (fieldErrors: Record<string, string[]>) => ReactNode;
}

const NO_ERRORS: Record<string, string[]> = {};

export function FormDialog({
  triggerLabel,
  triggerVariant = "secondary",
  triggerIcon,
  disabledReason,
  title,
  description,
  submitLabel,
  submitVariant = "primary",
  cancelLabel = "Cancel",
  onOpen,
  onSubmit,
  errorMessage = () => "The request did not reach XenDeck; check your connection and try again.",
  progress,
  children,
}: FormDialogProps) {
  const dialogRef = useRef<HTMLDialogElement>(null);
  const [pending, startTransition] = useTransition();
  const [opening, setOpening] = useState(0);
  const [fieldErrors, setFieldErrors] = useState(NO_ERRORS);
  const [error, setError] = useState<string | null>(null);
  const titleId = useId();
  const bodyId = useId();

  function open() {
    onOpen?.();
    setFieldErrors(NO_ERRORS);
    setError(null);
    setOpening((n) => n + 1);
  }

  // Shown once the fresh fields are mounted, so that focus lands in the first of them (not in the old form).
  useEffect(() => {
    const dialog = dialogRef.current;
    if (opening === 0 || !dialog) return;
    if (!dialog.open) dialog.showModal();
    dialog.querySelector<HTMLElement>("input:not([type=hidden]), select, textarea")?.focus();
  }, [opening]);

  function close() {
    dialogRef.current?.close();
  }

  function submit(event: FormEvent<HTMLFormElement>) {
    event.preventDefault();
    const data = new FormData(event.currentTarget);
    startTransition(async () => {
      try {
        const result = await onSubmit(data);
        if (result.ok) {
          close();
          return;
        }
        setFieldErrors(result.fieldErrors ?? NO_ERRORS);
        // A message that only repeats a field's error is not shown twice.
        const repeated = result.error && Object.values(result.fieldErrors ?? {}).some((messages) => messages.includes(result.error!));
        setError(repeated ? null : (result.error ?? null));
      } catch (thrown) {
        setError(errorMessage(thrown));
      }
    });
  }

  return (
    <ModalDialog
      trigger={{ label: triggerLabel, variant: triggerVariant, icon: triggerIcon, disabledReason }}
      onTrigger={open}
      dialogRef={dialogRef}
      titleId={titleId}
      describedBy={description ? bodyId : undefined}
      pending={pending}
      widthClass="w-[min(30rem,calc(100vw-2rem))]"
    >
      <form key={opening} onSubmit={submit} noValidate>
        <div className="space-y-3 p-4">
          <DialogTitle id={titleId}>{title}</DialogTitle>
          {description && (
            <div id={bodyId} className="text-sm text-muted">
              {description}
            </div>
          )}
          <fieldset disabled={pending} className="space-y-3">
            {children(fieldErrors)}
          </fieldset>
          {pending && progress}
          <StatusMessage tone="error" message={error} />
        </div>
        <DialogFooter>
          <Button onClick={close} disabled={pending}>
            {cancelLabel}
          </Button>
          <Button type="submit" variant={submitVariant} pending={pending}>
            {submitLabel}
          </Button>
        </DialogFooter>
      </form>
    </ModalDialog>
  );
}
