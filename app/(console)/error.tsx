"use client";

import { useEffect } from "react";
import { ErrorState, errorDigest } from "@/lib/ui/error-state";

/** A page of the console failed (e.g. XAPI unreachable mid-render): keep the shell, explain, offer a retry. */
export default function ConsoleError({ error, retry }: { error: unknown; retry: () => void }) {
  useEffect(() => {
    console.error(error);
  }, [error]);
  return <ErrorState digest={errorDigest(error)} onRetry={retry} />;
}
