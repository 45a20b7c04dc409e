"use client";

/** Rescan an SR (`SR.scan`): the pool looks for disks added or removed behind its back and recounts the space. */
import { Button } from "@/lib/ui/button";
import { StatusMessage } from "@/lib/ui/status-message";
import { resultMessage, useAction } from "@/lib/ui/use-action";
import { scanSrAction } from "@/app/(console)/storage/[uuid]/actions";

export function RescanButton({ sr, unavailableReason }: { sr: string; unavailableReason: string | null }) {
  const scan = useAction(scanSrAction);
  const result = scan.pending ? null : scan.result;
  return (
    <div className="flex flex-wrap items-center gap-2">
      <Button disabledReason={scan.pending ? null : unavailableReason} pending={scan.pending} onClick={() => scan.run({ sr })}>
        Rescan
      </Button>
      <StatusMessage tone={result?.ok ? "success" : "error"} message={resultMessage(result)} />
    </div>
  );
}
