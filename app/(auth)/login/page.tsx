import type { Metadata } from "next";
import { LOGIN_FAILED_MESSAGE } from "@/lib/auth/login";
import { BrandMark } from "@/lib/ui/shell/console-shell";
import { ThemeToggle } from "@/lib/ui/theme-toggle";
import { LoginForm } from "./login-form";

export const metadata: Metadata = { title: "Log in" };

/** The one public page. next-auth may send users back here with `?error=…` after a failed attempt. */
export default async function LoginPage({ searchParams }: { searchParams: Promise<Record<string, string | string[] | undefined>> }) {
  const params = await searchParams;
  const callbackUrl = typeof params.callbackUrl === "string" ? params.callbackUrl : "";
  const failed = params.error !== undefined;

  return (
    <main id="main" className="flex min-h-dvh flex-col items-center justify-center px-4 py-10">
      <div className="w-full max-w-sm space-y-6">
        <div className="flex flex-col items-center gap-3 text-center">
          <BrandMark size={40} />
          <div>
            <h1 className="text-xl font-semibold tracking-tight">Log in to XenDeck</h1>
            <p className="text-sm text-muted">Use the account your XenDeck administrator gave you.</p>
          </div>
        </div>
        <div className="rounded-lg border border-line bg-surface p-5 shadow-sm">
          <LoginForm callbackUrl={callbackUrl} failedMessage={LOGIN_FAILED_MESSAGE} initiallyFailed={failed} />
        </div>
        <div className="flex justify-center">
          <ThemeToggle />
        </div>
      </div>
    </main>
  );
}
