/**
 * Pages shown in a window of their own (the console pop-out): no shell, the page fills the window. Each page
 * checks the session and permissions itself, as every page does.
 */
export default function PopoutLayout({ children }: { children: React.ReactNode }) {
  return <div className="flex h-dvh flex-col bg-canvas">{children}</div>;
}
