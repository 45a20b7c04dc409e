import type { Metadata } from "next";
import { notFound } from "next/navigation";
import { requireUser } from "@/lib/auth/current-user";
import { consolePageView } from "@/lib/consoles/view";
import { LiveUpdates } from "@/lib/ui/live/live-updates";
import { TextConsoleWidget, VncConsoleWidget } from "@/app/(console)/_components/console/console-widgets";

type Props = { params: Promise<{ uuid: string }>; searchParams: Promise<{ protocol?: string | string[] }> };

export async function generateMetadata({ params }: Props): Promise<Metadata> {
  const user = await requireUser();
  const view = await consolePageView(user, (await params).uuid);
  return { title: view ? `Console · ${view.name}` : "Console not found" };
}

/** A console alone in its window (the "Pop out" button): a VM's screen, or a host's text console. */
export default async function PopoutConsolePage({ params, searchParams }: Props) {
  const user = await requireUser();
  const [{ uuid }, { protocol }] = await Promise.all([params, searchParams]);
  const view = await consolePageView(user, uuid);
  if (!view || !view.allowed) notFound();
  return (
    <>
      <LiveUpdates pools={[view.pool]} watch={view.watch} />
      {view.kind === "host" || protocol === "vt100" ? (
        <div className="p-2">
          <TextConsoleWidget vmUuid={view.consoleUuid} label={`Text console of ${view.name}`} running={view.running} />
        </div>
      ) : (
        <VncConsoleWidget vmUuid={view.consoleUuid} vmName={view.name} running={view.running} fill />
      )}
    </>
  );
}
