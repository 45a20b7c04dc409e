"use client";

/**
 * Looking at the alerts pane marks its alerts seen (up to the newest shown), so the navigation's badge counts
 * only critical and major alerts that arrive afterwards. Runs again when a newer alert appears on the pane.
 */
import { useEffect } from "react";
import { refreshIndicators } from "@/lib/ui/shell/indicators";
import { useAction } from "@/lib/ui/use-action";
import { markAlertsSeenAction } from "@/app/(console)/alerts/actions";

export function MarkAlertsSeen({ newest }: { newest: string | null }) {
  const { run } = useAction(markAlertsSeenAction);
  useEffect(() => {
    if (newest) void run({ upTo: newest }).then(refreshIndicators);
  }, [newest, run]);
  return null;
}
