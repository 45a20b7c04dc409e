/**
 * Inline result of an action or a form, next to where the user acted: "web-01 started", "The VM is already
 * running". The live region is always rendered (even when empty) because screen readers only announce changes
 * to a region that already exists.
 *
 *   const [state, action, pending] = useActionState(startVm, null);
 *   <StatusMessage tone={state?.ok ? "success" : "error"} message={state && (state.ok ? "Started" : state.error)} />
 */
import { cx } from "./classes";
import { Icon } from "./icons";
import { MESSAGE_STYLE, type MessageTone } from "./tone";

export type { MessageTone };

export function StatusMessage({
  tone = "info",
  message,
  id,
  className,
}: {
  tone?: MessageTone;
  /** Nothing shown (but the region stays) when empty. */
  message?: string | null;
  id?: string;
  className?: string;
}) {
  return (
    <div id={id} aria-live={tone === "error" ? "assertive" : "polite"} aria-atomic="true" className={className}>
      {message ? (
        <p className={cx("flex items-start gap-2 rounded-md border px-3 py-2 text-sm", MESSAGE_STYLE[tone].soft)}>
          <Icon name={MESSAGE_STYLE[tone].icon} className="mt-0.5 shrink-0" />
          <span>{message}</span>
        </p>
      ) : null}
    </div>
  );
}
