import type { Metadata } from "next";
import "./globals.css";

export const metadata: Metadata = { title: { default: "XenDeck", template: "%s · XenDeck" } };

export default function RootLayout({ children }: { children: React.ReactNode }) {
  return (
    <html lang="en">
      <body className="bg-white text-zinc-900 antialiased dark:bg-zinc-950 dark:text-zinc-100">{children}</body>
    </html>
  );
}
