"use client";

/**
 * A VM that disappears while its page is open (deleted in another tab, or the user's access removed): the live
 * refresh re-renders the page as "not found", and this says what happened to the VM the user was looking at,
 * with the way back to the list. The server cannot tell them apart from an unknown uuid (existence must not leak),
 * but this browser tab knows which VM it was showing.
 */
import { useParams } from "next/navigation";
import { useEffect } from "react";
import { NotFoundState } from "@/lib/ui/error-state";

/** The VMs this tab has shown, by uuid: their names. */
const shown = new Map<string, string>();

/** On the VM page: remembers that this tab shows the VM. */
export function RememberVm({ uuid, name }: { uuid: string; name: string }) {
  useEffect(() => {
    shown.set(uuid, name);
  }, [uuid, name]);
  return null;
}

export function VmNotFound() {
  const { uuid } = useParams<{ uuid: string }>();
  const name = uuid ? shown.get(uuid) : undefined;
  const back = { href: "/vms", label: "Back to the VM list" };
  if (!name) return <NotFoundState what="VM" back={back} />;
  return (
    <NotFoundState what="VM" title={`${name} no longer exists`} back={back}>
      <p>It was deleted, or your access to it was removed, while its page was open.</p>
    </NotFoundState>
  );
}
