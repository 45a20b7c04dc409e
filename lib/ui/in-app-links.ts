"use client";

/**
 * Client-side navigation for plain `<a href>` links inside a container, with one click handler instead of a
 * `next/link` per link. A list renders one link per row; `Link` costs a component, a router context read and
 * an effect for each of them on every render, which the VM list paid 50 times per page.
 *
 *   const followLink = useInAppLinks();
 *   <tbody onClick={followLink}> … <a href={`/vms/${uuid}`}>…</a> … </tbody>
 *
 * Only a plain left click on a same-origin link without `target` is taken over; a middle click, a modifier
 * key (new tab, new window, download) or an external link keeps the browser's own behaviour.
 */
import { useRouter } from "next/navigation";
import { useCallback, type MouseEvent } from "react";

/** What `inAppTarget` reads of a link (an `HTMLAnchorElement` in the browser). */
interface LinkElement {
  getAttribute(name: string): string | null;
  hasAttribute(name: string): boolean;
}

type ClickEvent = Pick<MouseEvent, "defaultPrevented" | "button" | "metaKey" | "ctrlKey" | "shiftKey" | "altKey"> & { target: unknown };

/**
 * The path to navigate to within the app for this click, or null when the browser should handle it. `base` is
 * the current page's URL (relative links resolve against it).
 */
export function inAppTarget(event: ClickEvent, base: string): string | null {
  if (event.defaultPrevented || event.button !== 0 || event.metaKey || event.ctrlKey || event.shiftKey || event.altKey) return null;
  const target = event.target as { closest?: (selector: string) => LinkElement | null } | null;
  const link = typeof target?.closest === "function" ? target.closest("a[href]") : null;
  if (!link || link.hasAttribute("target") || link.hasAttribute("download")) return null;
  const url = new URL(link.getAttribute("href")!, base);
  return url.origin === new URL(base).origin ? `${url.pathname}${url.search}${url.hash}` : null;
}

export function useInAppLinks(): (event: MouseEvent<HTMLElement>) => void {
  const router = useRouter();
  return useCallback(
    (event: MouseEvent<HTMLElement>) => {
      const target = inAppTarget(event, window.location.href);
      if (target === null) return;
      event.preventDefault();
      router.push(target);
    },
    [router],
  );
}
