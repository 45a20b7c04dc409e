import type { Metadata } from "next";
import { NotFoundState } from "@/lib/ui/error-state";
import { Brand } from "@/lib/ui/shell/console-shell";

export const metadata: Metadata = { title: "Not found" };

/** Unknown URLs (outside any console page). `notFound()` inside the console uses app/(console)/not-found.tsx. */
export default function NotFound() {
  return (
    <main id="main" className="px-4 py-8">
      <div className="mx-auto max-w-lg">
        <Brand />
      </div>
      <NotFoundState />
    </main>
  );
}
