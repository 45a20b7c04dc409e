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
 */
import { useId, useRef, useTransition, type ReactNode } from "react";
import { Button, type ButtonSize, type ButtonVariant } from "./button";
import type { IconName } from "./icons";
import { DialogFooter, DialogTitle, ModalDialog } from "./modal-dialog";

export interface ConfirmDialogProps<T> {
  triggerLabel: string;
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
  onConfirm: () => T | Promise<T>;
  onDone?: (result: T) => void;
  /** Called if `onConfirm` throws (e.g. the network is down); without it the error reaches the error boundary. */
  onError?: (error: unknown) => void;
}

export function ConfirmDialog<T>({
  triggerLabel,
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
  onError,
}: ConfirmDialogProps<T>) {
  const dialogRef = useRef<HTMLDialogElement>(null);
  const cancelRef = useRef<HTMLButtonElement>(null);
  const [pending, startTransition] = useTransition();
  const titleId = useId();
  const bodyId = useId();

  function open() {
    dialogRef.current?.showModal();
    cancelRef.current?.focus();
  }

  function close() {
    dialogRef.current?.close();
  }

  function confirm() {
    startTransition(async () => {
      try {
        const result = await onConfirm();
        onDone?.(result);
      } catch (error) {
        if (!onError) throw error;
        onError(error);
      } finally {
        close();
      }
    });
  }

  return (
    <ModalDialog
      trigger={{ label: triggerLabel, variant: triggerVariant, size: triggerSize, icon: triggerIcon, disabledReason }}
      onTrigger={open}
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
