"use client";

/**
 * What ConfirmDialog and FormDialog share: the trigger button, the modal <dialog> (which Escape cannot close while
 * its action runs), the title and the footer of buttons. Each of them keeps its own behaviour (what gets focus,
 * what submitting does).
 */
import type { ReactNode, RefObject } from "react";
import { Button, type ButtonSize, type ButtonVariant } from "./button";
import type { IconName } from "./icons";

export interface ModalTrigger {
  label: string;
  variant: ButtonVariant;
  size?: ButtonSize;
  icon?: IconName;
  /** Makes the trigger unavailable, with the reason (see Button). */
  disabledReason?: string | null;
}

export interface ModalDialogProps {
  /** The button that opens the dialog; none when the caller opens it (from a menu item). */
  trigger?: ModalTrigger;
  onTrigger: () => void;
  /** The dialog closed (Escape, Cancel, or the action done). */
  onClose?: () => void;
  dialogRef: RefObject<HTMLDialogElement | null>;
  titleId: string;
  /** Id of the element that says what the dialog is about, if any. */
  describedBy?: string;
  /** An action is running: Escape does not close the dialog. */
  pending: boolean;
  /** Tailwind width class, e.g. `w-[min(28rem,calc(100vw-2rem))]`. */
  widthClass: string;
  children: ReactNode;
}

export function ModalDialog({ trigger, onTrigger, onClose, dialogRef, titleId, describedBy, pending, widthClass, children }: ModalDialogProps) {
  return (
    <>
      {trigger && (
        <Button
          variant={trigger.variant}
          size={trigger.size}
          icon={trigger.icon}
          disabledReason={trigger.disabledReason}
          aria-haspopup="dialog"
          onClick={onTrigger}
        >
          {trigger.label}
        </Button>
      )}
      <dialog
        ref={dialogRef}
        aria-labelledby={titleId}
        aria-describedby={describedBy}
        onCancel={(e) => {
          if (pending) e.preventDefault(); // keep it open while the action runs
        }}
        onClose={onClose}
        className={`m-auto ${widthClass} rounded-lg border border-line bg-surface p-0 text-fg shadow-xl`}
      >
        {children}
      </dialog>
    </>
  );
}

export function DialogTitle({ id, children }: { id: string; children: ReactNode }) {
  return (
    <h2 id={id} className="text-base font-semibold">
      {children}
    </h2>
  );
}

/** The row of buttons at the bottom of a dialog (Cancel, then the action). */
export function DialogFooter({ children }: { children: ReactNode }) {
  return <div className="flex justify-end gap-2 border-t border-line bg-sunken px-4 py-3">{children}</div>;
}
