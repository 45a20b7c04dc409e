"use client";

/**
 * Toasts: short notices about actions that finish away from where the user is looking (a bulk start, a task
 * that completes later). `ToastProvider` is mounted once by the console layout; any client component calls
 *   const toast = useToast();
 *   toast({ tone: "success", title: "web-01 started" });
 *   toast({ tone: "error", title: "Could not stop db-02", description: "The VM is already halted." });
 * Successes and infos disappear after 6 s; errors stay until dismissed so they can be read. Both live regions
 * exist from the first render (polite for success/info, assertive for errors) so every toast is announced.
 * For the result of a form, prefer an inline StatusMessage next to the form.
 */
import { createContext, use, useCallback, useEffect, useRef, useState, type ReactNode } from "react";
import { cx } from "./classes";
import { Icon } from "./icons";
import { MESSAGE_STYLE, type MessageTone } from "./tone";

export interface ToastInput {
  tone?: MessageTone;
  title: string;
  description?: string;
  /** Milliseconds before it hides; default 6000, and never for errors. */
  duration?: number;
}

interface Toast extends ToastInput {
  id: number;
  tone: MessageTone;
}

type ShowToast = (toast: ToastInput) => void;

const ToastContext = createContext<ShowToast | null>(null);

const MAX_TOASTS = 5;

export function ToastProvider({ children }: { children: ReactNode }) {
  const [toasts, setToasts] = useState<Toast[]>([]);
  const nextId = useRef(1);

  const dismiss = useCallback((id: number) => setToasts((all) => all.filter((t) => t.id !== id)), []);
  const show = useCallback<ShowToast>((input) => {
    const toast: Toast = { ...input, tone: input.tone ?? "info", id: nextId.current++ };
    setToasts((all) => [...all, toast].slice(-MAX_TOASTS));
  }, []);

  const region = (errors: boolean) => (
    <div aria-live={errors ? "assertive" : "polite"} aria-relevant="additions" className="flex w-full flex-col gap-2">
      {toasts
        .filter((t) => (t.tone === "error") === errors)
        .map((t) => (
          <ToastItem key={t.id} toast={t} onDismiss={dismiss} />
        ))}
    </div>
  );

  return (
    <ToastContext value={show}>
      {children}
      <div className="pointer-events-none fixed right-3 bottom-3 left-3 z-50 flex flex-col items-end gap-2 sm:left-auto sm:w-96">
        {region(true)}
        {region(false)}
      </div>
    </ToastContext>
  );
}

function ToastItem({ toast, onDismiss }: { toast: Toast; onDismiss: (id: number) => void }) {
  const duration = toast.tone === "error" ? null : (toast.duration ?? 6000);
  useEffect(() => {
    if (duration === null) return;
    const timer = setTimeout(() => onDismiss(toast.id), duration);
    return () => clearTimeout(timer);
  }, [duration, onDismiss, toast.id]);

  return (
    <div
      role={toast.tone === "error" ? "alert" : "status"}
      className={cx("pointer-events-auto flex w-full items-start gap-2 rounded-lg border px-3 py-2.5 text-sm shadow-lg", MESSAGE_STYLE[toast.tone].soft)}
    >
      <Icon name={MESSAGE_STYLE[toast.tone].icon} className="mt-0.5 shrink-0" />
      <div className="min-w-0 flex-1">
        <p className="font-medium">{toast.title}</p>
        {toast.description && <p className="mt-0.5 text-fg/85">{toast.description}</p>}
      </div>
      <button type="button" onClick={() => onDismiss(toast.id)} aria-label="Dismiss notification" className="-m-1 rounded p-1 opacity-70 hover:opacity-100">
        <Icon name="close" size={14} />
      </button>
    </div>
  );
}

/** Returns the function that shows a toast. Outside a ToastProvider it throws, to catch a missing provider early. */
export function useToast(): ShowToast {
  const show = use(ToastContext);
  if (!show) throw new Error("useToast must be used inside <ToastProvider> (mounted by app/(console)/layout.tsx)");
  return show;
}
