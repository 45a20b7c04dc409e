"use client";

/**
 * A button that opens a menu of actions ("More"), following the WAI-ARIA menu button pattern: the button has
 * `aria-haspopup="menu"` and `aria-expanded`; Enter, Space or Arrow Down open the menu on its first item, Arrow Up
 * on its last; in the menu, the arrow keys, Home and End move, Enter and Space choose, Escape closes and gives the
 * focus back to the button, Tab closes; a click outside closes. An unavailable item stays in the menu, focusable
 * but inert, with its reason written under it (and as its description), as disabled buttons do elsewhere.
 *
 *   <MenuButton label="More" items={[
 *     { id: "pause", label: "Pause", onSelect: () => run("pause") },
 *     { id: "force", label: "Force shutdown", danger: true, disabledReason: "The VM is halted", onSelect: … },
 *   ]} />
 *
 * Choosing an item closes the menu and returns the focus to the button before `onSelect` runs, so that a dialog
 * it opens gives the focus back to the button when it closes.
 */
import { useEffect, useId, useLayoutEffect, useRef, useState, type KeyboardEvent } from "react";
import { buttonClasses, type ButtonSize } from "./button";
import { cx } from "./classes";
import { Icon } from "./icons";

export interface MenuItem {
  id: string;
  label: string;
  /** Makes the item unavailable, with the reason. */
  disabledReason?: string | null;
  /** A drastic action (red text). */
  danger?: boolean;
  onSelect: () => void;
}

/** Space kept between the menu and the window's edges (px). */
const MENU_MARGIN = 8;

export function MenuButton({ label, items, size = "md" }: { label: string; items: MenuItem[]; size?: ButtonSize }) {
  const [open, setOpen] = useState(false);
  /** How far left of its button the menu starts (px), to stay inside the window. */
  const [shift, setShift] = useState(0);
  const buttonRef = useRef<HTMLButtonElement>(null);
  const menuRef = useRef<HTMLDivElement>(null);
  const itemRefs = useRef<(HTMLButtonElement | null)[]>([]);
  /** Which item gets the focus when the menu opens. */
  const initialFocus = useRef<"first" | "last">("first");
  const id = useId();

  // Opened near the right edge of the window, the menu moves left as far as it must to fit, never past the left
  // edge (on a phone, aligning it with the button's right edge would cut it off on the left instead).
  useLayoutEffect(() => {
    if (!open || !buttonRef.current || !menuRef.current) return;
    const button = buttonRef.current.getBoundingClientRect();
    const overflow = button.left + menuRef.current.offsetWidth - (document.documentElement.clientWidth - MENU_MARGIN);
    setShift(Math.max(0, Math.min(overflow, button.left - MENU_MARGIN)));
  }, [open]);

  useEffect(() => {
    if (!open) return;
    const items = itemRefs.current.filter(Boolean);
    (initialFocus.current === "last" ? items.at(-1) : items[0])?.focus();
    const closeOnOutsideClick = (event: PointerEvent) => {
      const target = event.target as Node;
      if (!menuRef.current?.contains(target) && !buttonRef.current?.contains(target)) setOpen(false);
    };
    document.addEventListener("pointerdown", closeOnOutsideClick);
    return () => document.removeEventListener("pointerdown", closeOnOutsideClick);
  }, [open]);

  function openMenu(focus: "first" | "last") {
    initialFocus.current = focus;
    setOpen(true);
  }

  function close(returnFocus: boolean) {
    setOpen(false);
    if (returnFocus) buttonRef.current?.focus();
  }

  function choose(item: MenuItem) {
    if (item.disabledReason) return;
    close(true);
    item.onSelect();
  }

  function onButtonKeyDown(event: KeyboardEvent<HTMLButtonElement>) {
    if (event.key === "ArrowDown" || event.key === "ArrowUp") {
      event.preventDefault();
      openMenu(event.key === "ArrowUp" ? "last" : "first");
    }
  }

  function onMenuKeyDown(event: KeyboardEvent<HTMLDivElement>) {
    const elements = itemRefs.current.filter((element): element is HTMLButtonElement => element !== null);
    const current = elements.indexOf(document.activeElement as HTMLButtonElement);
    const focusAt = (index: number) => elements[(index + elements.length) % elements.length]?.focus();
    switch (event.key) {
      case "ArrowDown":
        event.preventDefault();
        return focusAt(current + 1);
      case "ArrowUp":
        event.preventDefault();
        return focusAt(current - 1);
      case "Home":
        event.preventDefault();
        return focusAt(0);
      case "End":
        event.preventDefault();
        return focusAt(elements.length - 1);
      case "Escape":
        event.preventDefault();
        return close(true);
      case "Tab":
        return close(false);
    }
  }

  if (items.length === 0) return null;
  return (
    <div className="relative inline-flex">
      <button
        ref={buttonRef}
        type="button"
        id={`${id}-button`}
        aria-haspopup="menu"
        aria-expanded={open}
        aria-controls={open ? `${id}-menu` : undefined}
        onClick={() => (open ? close(false) : openMenu("first"))}
        onKeyDown={onButtonKeyDown}
        className={buttonClasses("secondary", size)}
      >
        {label}
        <Icon name="chevron-down" size={size === "sm" ? 12 : 14} />
      </button>
      {open && (
        <div
          ref={menuRef}
          id={`${id}-menu`}
          role="menu"
          aria-labelledby={`${id}-button`}
          onKeyDown={onMenuKeyDown}
          style={{ left: -shift }}
          className="absolute top-full z-40 mt-1 w-max max-w-[min(20rem,calc(100vw-1rem))] min-w-48 rounded-lg border border-line bg-surface p-1 text-fg shadow-xl"
        >
          {items.map((item, index) => (
            <button
              key={item.id}
              ref={(element) => {
                itemRefs.current[index] = element;
              }}
              type="button"
              role="menuitem"
              tabIndex={-1}
              aria-disabled={item.disabledReason ? true : undefined}
              aria-describedby={item.disabledReason ? `${id}-reason-${index}` : undefined}
              onClick={() => choose(item)}
              className={cx(
                "flex w-full flex-col items-start rounded-md px-2.5 py-1.5 text-left text-sm",
                "hover:bg-hover focus:bg-hover",
                item.disabledReason ? "cursor-not-allowed" : item.danger ? "text-error-text" : "",
              )}
            >
              <span className={item.disabledReason ? "opacity-55" : undefined}>{item.label}</span>
              {item.disabledReason && (
                <span id={`${id}-reason-${index}`} className="text-xs text-muted">
                  {item.disabledReason}
                </span>
              )}
            </button>
          ))}
        </div>
      )}
    </div>
  );
}
