import type { Metadata } from "next";
import { connection } from "next/server";
import { NotFoundState } from "@/lib/ui/error-state";
import { Brand } from "@/lib/ui/shell/console-shell";

export const metadata: Metadata = { title: "Not found" };

/** Unknown URLs (outside any console page). `notFound()` inside the console uses app/(console)/not-found.tsx. */
export default async function NotFound() {
  // Rendered per request, not prerendered: its scripts must carry the request's CSP nonce (lib/server/security-headers.ts).
  await connection();
  return (
    <main id="main" className="px-4 py-8">
      <div className="mx-auto max-w-lg">
        <Brand />
      </div>
      <NotFoundState />
    </main>
  );
}
