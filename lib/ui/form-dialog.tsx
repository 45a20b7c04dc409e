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
import { useEffect, useId, useRef, useState, type FormEvent, type ReactNode } from "react";
import type { ActionResult } from "@/lib/result";
import { Button, type ButtonVariant } from "./button";
import type { IconName } from "./icons";
import { DialogFooter, DialogTitle, ModalDialog } from "./modal-dialog";
import { StatusMessage } from "./status-message";
import { useAction } from "./use-action";

export type FormDialogResult = ActionResult;

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
  /** A server action call (or anything answering like one); a request that fails answers REQUEST_FAILED. */
  onSubmit: (data: FormData) => Promise<FormDialogResult>;
  /** Shown while `onSubmit` runs (e.g. a ProgressBar). */
  progress?: ReactNode;
  /** The fields, given the current per-field errors. */
  children: (fieldErrors: Record<string, string[]>) => ReactNode;
}

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
  progress,
  children,
}: FormDialogProps) {
  const dialogRef = useRef<HTMLDialogElement>(null);
  const action = useAction(onSubmit);
  const pending = action.pending;
  const [opening, setOpening] = useState(0);
  const titleId = useId();
  const bodyId = useId();

  function open() {
    onOpen?.();
    action.reset();
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

  async function submit(event: FormEvent<HTMLFormElement>) {
    event.preventDefault();
    const result = await action.run(new FormData(event.currentTarget));
    if (result.ok) close();
  }

  const { fieldErrors, formError: error } = action;

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
