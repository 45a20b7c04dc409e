"use client";

import { useEffect } from "react";
import { ErrorState, errorDigest } from "@/lib/ui/error-state";
import { themeInitScript } from "@/lib/ui/theme";
import "./globals.css";

/**
 * Last-resort error page, used when the root layout itself fails. It replaces the whole document, so it brings
 * its own <html>, styles and theme script, and sets the title with React's <title> (no metadata here).
 */
export default function GlobalError({ error, retry }: { error: unknown; retry: () => void }) {
  useEffect(() => {
    console.error(error);
  }, [error]);

  return (
    <html lang="en" suppressHydrationWarning>
      <head>
        <script dangerouslySetInnerHTML={{ __html: themeInitScript }} />
      </head>
      <body className="min-h-dvh antialiased">
        <title>Error · XenDeck</title>
        <main id="main" className="px-4">
          <ErrorState digest={errorDigest(error)} onRetry={retry} />
        </main>
      </body>
    </html>
  );
}
