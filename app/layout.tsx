import type { Metadata, Viewport } from "next";
import { themeInitScript } from "@/lib/ui/theme";
import "./globals.css";

export const metadata: Metadata = {
  title: { default: "XenDeck", template: "%s · XenDeck" },
  description: "Web console for XCP-ng and XenServer pools",
  icons: { icon: "/favicon.svg" },
  robots: { index: false, follow: false },
};

export const viewport: Viewport = {
  colorScheme: "light dark",
  themeColor: [
    { media: "(prefers-color-scheme: light)", color: "#ffffff" },
    { media: "(prefers-color-scheme: dark)", color: "#15181d" },
  ],
};

export default function RootLayout({ children }: { children: React.ReactNode }) {
  return (
    // The inline script may set data-theme on <html> before React hydrates: tell React that is expected.
    <html lang="en" suppressHydrationWarning>
      <head>
        <script dangerouslySetInnerHTML={{ __html: themeInitScript }} />
      </head>
      <body className="min-h-dvh antialiased">{children}</body>
    </html>
  );
}
