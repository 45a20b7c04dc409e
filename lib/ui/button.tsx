/**
 * Buttons and button-styled links. Usable from server and client components (no hooks beyond useId).
 *
 * Disabled-with-a-reason: pass `disabledReason` instead of `disabled` when the user should learn why an action is
 * unavailable ("The VM is already running"). The button then stays focusable (`aria-disabled`, never submits, no
 * click handler), the reason appears as a tooltip on hover and on keyboard focus, and screen readers hear it as
 * the button's description (`aria-describedby`). Plain `disabled` is for short transient states (pending).
 */
import Link from "next/link";
import { useId, type ComponentProps, type ReactNode } from "react";
import { cx } from "./classes";
import { Icon, type IconName } from "./icons";
import { Spinner } from "./progress";

export type ButtonVariant = "primary" | "secondary" | "danger" | "ghost";
export type ButtonSize = "sm" | "md";

const VARIANTS: Record<ButtonVariant, string> = {
  primary: "bg-accent text-on-accent hover:bg-accent-hover border-transparent",
  secondary: "bg-surface text-fg border-line-strong hover:bg-hover",
  danger: "bg-danger text-on-danger hover:bg-danger-hover border-transparent",
  ghost: "bg-transparent text-fg border-transparent hover:bg-hover",
};

const SIZES: Record<ButtonSize, string> = {
  sm: "h-7 px-2 text-xs gap-1",
  md: "h-8 px-3 text-sm gap-1.5",
};

/** Class names of a button, for elements that must look like one (a <summary>, a label). */
export function buttonClasses(variant: ButtonVariant = "secondary", size: ButtonSize = "md", className?: string) {
  return cx(
    "inline-flex shrink-0 items-center justify-center rounded-md border font-medium whitespace-nowrap select-none",
    "transition-colors disabled:cursor-not-allowed disabled:opacity-55",
    "aria-disabled:cursor-not-allowed aria-disabled:opacity-55",
    VARIANTS[variant],
    SIZES[size],
    className,
  );
}

export interface ButtonProps extends ComponentProps<"button"> {
  variant?: ButtonVariant;
  size?: ButtonSize;
  icon?: IconName;
  /** Shows a spinner and disables the button while an action runs. */
  pending?: boolean;
  /** Why the action is unavailable; makes the button disabled and explains it (see the module comment). */
  disabledReason?: string | null;
}

export function Button({
  variant = "secondary",
  size = "md",
  icon,
  pending = false,
  disabledReason,
  className,
  children,
  type = "button",
  ...rest
}: ButtonProps) {
  const reasonId = useId();
  const content = (
    <>
      {pending ? <Spinner size={size === "sm" ? 12 : 14} /> : icon && <Icon name={icon} size={size === "sm" ? 14 : 16} />}
      {children}
    </>
  );

  if (disabledReason) {
    // Drop everything that could act: handlers, form actions, submit behaviour.
    const { onClick: _onClick, formAction: _formAction, form: _form, name: _name, value: _value, ...safe } = rest;
    return (
      <DisabledReason id={reasonId} reason={disabledReason}>
        <button
          {...safe}
          type="button"
          aria-disabled="true"
          aria-describedby={cx(rest["aria-describedby"], reasonId)}
          className={buttonClasses(variant, size, className)}
        >
          {content}
        </button>
      </DisabledReason>
    );
  }

  return (
    <button {...rest} type={type} disabled={rest.disabled || pending} aria-busy={pending || undefined} className={buttonClasses(variant, size, className)}>
      {content}
    </button>
  );
}

export interface ButtonLinkProps {
  href: string;
  variant?: ButtonVariant;
  size?: ButtonSize;
  icon?: IconName;
  disabledReason?: string | null;
  prefetch?: boolean;
  className?: string;
  children: ReactNode;
}

/** A link that looks like a button (navigation, not an action). With `disabledReason` it is not a link at all. */
export function ButtonLink({ href, variant = "secondary", size = "md", icon, disabledReason, prefetch, className, children }: ButtonLinkProps) {
  const reasonId = useId();
  const content = (
    <>
      {icon && <Icon name={icon} size={size === "sm" ? 14 : 16} />}
      {children}
    </>
  );
  if (disabledReason) {
    return (
      <DisabledReason id={reasonId} reason={disabledReason}>
        <span role="link" tabIndex={0} aria-disabled="true" aria-describedby={reasonId} className={buttonClasses(variant, size, className)}>
          {content}
        </span>
      </DisabledReason>
    );
  }
  return (
    <Link href={href} prefetch={prefetch} className={buttonClasses(variant, size, className)}>
      {content}
    </Link>
  );
}

/** Wraps a disabled control with its reason: a tooltip on hover and focus, and the description target. */
function DisabledReason({ id, reason, children }: { id: string; reason: string; children: ReactNode }) {
  return (
    <span className="group relative inline-flex">
      {children}
      <span
        id={id}
        role="tooltip"
        className={cx(
          "pointer-events-none absolute bottom-full left-1/2 z-40 mb-1.5 w-max max-w-[min(16rem,calc(100vw-1rem))] -translate-x-1/2",
          "rounded-md bg-fg px-2 py-1 text-xs font-normal text-canvas shadow-lg",
          // Not laid out while hidden: an invisible tip still widens the page (sideways scrolling on a phone).
          "hidden group-focus-within:block group-hover:block",
        )}
      >
        {reason}
      </span>
    </span>
  );
}
