"use client";

import Link from "next/link";
import type { ComponentProps, MouseEvent } from "react";

/** A Link that also closes the popover it sits in (menus, the mobile drawer): client navigation would not. */
export function PopoverLink({ onClick, ...props }: ComponentProps<typeof Link>) {
  function handleClick(event: MouseEvent<HTMLAnchorElement>) {
    onClick?.(event);
    const popover = event.currentTarget.closest<HTMLElement>("[popover]");
    if (popover?.matches(":popover-open")) popover.hidePopover();
  }
  return <Link {...props} onClick={handleClick} />;
}
