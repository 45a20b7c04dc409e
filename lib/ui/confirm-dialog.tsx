"use client";

/**
 * A button that asks before doing something drastic (hard shutdown, hard reboot, delete), using a modal <dialog>:
 * focus moves into it (on Cancel, the safe choice), Escape and Cancel close it, focus returns to the trigger.
 *
 *   <ConfirmDialog
 *     triggerLabel="Force shutdown" triggerVariant="danger"
 *     title="Force shutdown web-01?"
 *     confirmLabel="Force shutdown"
 *     onConfirm={() => hardShutdownVm(vm.uuid)}      // a server action or any async function
 *     disabledReason={allowed ? null : "The VM is not running"}
 *   >
 *     This cuts the power: unsaved data in the guest is lost.
 *   </ConfirmDialog>
 *
 * While `onConfirm` runs, the confirm button shows a spinner and the dialog stays open; when it settles the dialog
 * closes. Report the outcome where the caller wants it (a toast, an inline message): `onConfirm`'s result is
 * passed to `onDone`.
 *
 * Opened by something else (an item of a MenuButton): pass `open` and `onClose` instead of the trigger's props;
 * no trigger button is rendered, and the dialog shows while `open` is true.
 */
import { useEffect, useId, useRef, type ReactNode } from "react";
import type { ActionResult } from "@/lib/result";
import { Button, type ButtonSize, type ButtonVariant } from "./button";
import type { IconName } from "./icons";
import { DialogFooter, DialogTitle, ModalDialog } from "./modal-dialog";
import { useAction } from "./use-action";

export interface ConfirmDialogProps<T extends object> {
  /** The trigger button's label (ignored when `open` is given). */
  triggerLabel?: string;
  /** Shown by the caller rather than by a trigger button of its own (see the module comment). */
  open?: boolean;
  /** The dialog closed, whatever closed it (with `open`: set it to false here). */
  onClose?: () => void;
  triggerVariant?: ButtonVariant;
  triggerSize?: ButtonSize;
  triggerIcon?: IconName;
  /** Makes the trigger unavailable, with the reason (see Button). */
  disabledReason?: string | null;
  title: string;
  /** What will happen, in plain words. */
  children?: ReactNode;
  confirmLabel: string;
  confirmVariant?: ButtonVariant;
  cancelLabel?: string;
  /** A server action call (or anything answering like one); a request that fails answers REQUEST_FAILED. */
  onConfirm: () => Promise<ActionResult<T>>;
  onDone?: (result: ActionResult<T>) => void;
}

export function ConfirmDialog<T extends object>({
  triggerLabel = "",
  open: shown,
  onClose,
  triggerVariant = "secondary",
  triggerSize = "md",
  triggerIcon,
  disabledReason,
  title,
  children,
  confirmLabel,
  confirmVariant = "danger",
  cancelLabel = "Cancel",
  onConfirm,
  onDone,
}: ConfirmDialogProps<T>) {
  const dialogRef = useRef<HTMLDialogElement>(null);
  const cancelRef = useRef<HTMLButtonElement>(null);
  const action = useAction<void, T>(onConfirm);
  const pending = action.pending;
  const titleId = useId();
  const bodyId = useId();

  function open() {
    dialogRef.current?.showModal();
    cancelRef.current?.focus();
  }

  const controlled = shown !== undefined;
  useEffect(() => {
    const dialog = dialogRef.current;
    if (!controlled || !dialog) return;
    if (shown && !dialog.open) {
      dialog.showModal();
      cancelRef.current?.focus();
    } else if (!shown && dialog.open) dialog.close();
  }, [controlled, shown]);

  function close() {
    dialogRef.current?.close();
  }

  async function confirm() {
    const result = await action.run();
    close();
    onDone?.(result);
  }

  return (
    <ModalDialog
      trigger={controlled ? undefined : { label: triggerLabel, variant: triggerVariant, size: triggerSize, icon: triggerIcon, disabledReason }}
      onTrigger={open}
      onClose={onClose}
      dialogRef={dialogRef}
      titleId={titleId}
      describedBy={children ? bodyId : undefined}
      pending={pending}
      widthClass="w-[min(28rem,calc(100vw-2rem))]"
    >
      <div className="space-y-2 p-4">
        <DialogTitle id={titleId}>{title}</DialogTitle>
        {children && (
          <div id={bodyId} className="text-sm text-muted">
            {children}
          </div>
        )}
      </div>
      <DialogFooter>
        <Button ref={cancelRef} onClick={close} disabled={pending}>
          {cancelLabel}
        </Button>
        <Button variant={confirmVariant} onClick={confirm} pending={pending}>
          {confirmLabel}
        </Button>
      </DialogFooter>
    </ModalDialog>
  );
}
