"use client";

/**
 * The console widgets, rendered in the browser only: noVNC and xterm.js need the DOM, and the widgets read the
 * user's saved choices (scale, keyboard layout) from local storage as they start.
 */
import dynamic from "next/dynamic";
import { Skeleton } from "@/lib/ui/skeleton";

export const VncConsoleWidget = dynamic(() => import("./vnc-console").then((module) => module.VncConsole), {
  ssr: false,
  loading: () => <Skeleton className="h-[70vh] w-full" />,
});

export const TextConsoleWidget = dynamic(() => import("./text-console").then((module) => module.TextConsole), {
  ssr: false,
  loading: () => <Skeleton className="h-96 w-full" />,
});
