"use client";

/**
 * The outcome of a bulk operation: a summary line ("2 started, 1 failed, 1 skipped") and one line per VM, errors
 * first, then the VMs left out and why, then the successes. Green when nothing failed, red when nothing
 * succeeded, amber for a mixed outcome: one failure among successes is not a failed run.
 */
import { Icon, type IconName } from "@/lib/ui/icons";
import { cx } from "@/lib/ui/classes";
import type { BulkItemOutcome } from "@/lib/vm/lifecycle-actions";
import { VM_OPERATIONS, type VmOperationId } from "@/lib/vm/operations";

/** A selected VM the operation did not apply to: not sent. */
export interface SkippedVm {
  uuid: string;
  name: string | null;
  reason: string;
}

interface Line {
  key: string;
  icon: IconName;
  tone: string;
  text: string;
}

export function OperationResults({
  operation,
  results,
  skipped = [],
  onDismiss,
}: {
  operation: VmOperationId;
  results: BulkItemOutcome[];
  /** VMs left out before sending (the server may skip more: `results` items marked `skipped`). */
  skipped?: SkippedVm[];
  onDismiss: () => void;
}) {
  const spec = VM_OPERATIONS[operation];
  const failed = results.filter((item) => !item.result.ok && !item.skipped);
  const succeeded = results.filter((item) => item.result.ok);
  const left: SkippedVm[] = [
    ...skipped,
    ...results.flatMap((item) => (item.skipped && !item.result.ok ? [{ uuid: item.vm.uuid, name: item.vm.name, reason: item.result.error }] : [])),
  ];
  const summary = [
    succeeded.length > 0 && `${succeeded.length} ${spec.past}`,
    failed.length > 0 && `${failed.length} failed`,
    left.length > 0 && `${left.length} skipped`,
  ]
    .filter(Boolean)
    .join(", ");
  const tone = failed.length === 0 ? "ok" : succeeded.length === 0 ? "error" : "warn";
  const lines: Line[] = [
    ...failed.map(({ vm, result }) => ({
      key: `f-${vm.uuid}`,
      icon: "error" as const,
      tone: "text-error-text",
      text: `${vm.name ?? vm.uuid}: ${result.ok ? "" : result.error}`,
    })),
    ...left.map((vm) => ({ key: `s-${vm.uuid}`, icon: "info" as const, tone: "text-muted", text: `${vm.name ?? vm.uuid}: skipped: ${vm.reason}` })),
    ...succeeded.map(({ vm, result }) => ({ key: `o-${vm.uuid}`, icon: "check" as const, tone: "text-ok-text", text: result.ok ? result.message : "" })),
  ];
  return (
    <div
      role="status"
      data-outcome={tone === "ok" ? "success" : tone === "error" ? "failure" : "mixed"}
      className={cx(
        "rounded-md border px-3 py-2 text-sm",
        tone === "ok" ? "border-ok/40 bg-ok-soft" : tone === "error" ? "border-error/40 bg-error-soft" : "border-warn/40 bg-warn-soft",
      )}
    >
      <div className="flex items-start justify-between gap-2">
        <p className="font-medium">
          {spec.label.replace("…", "")}: {summary || "nothing to do"}
        </p>
        <button type="button" onClick={onDismiss} aria-label="Dismiss results" className="-m-1 rounded p-1 opacity-70 hover:opacity-100">
          <Icon name="close" size={14} />
        </button>
      </div>
      <ul className="mt-1 space-y-0.5">
        {lines.map((line) => (
          <li key={line.key} className="flex items-start gap-1.5">
            <Icon name={line.icon} size={14} className={cx("mt-0.5 shrink-0", line.tone)} />
            <span>{line.text}</span>
          </li>
        ))}
      </ul>
    </div>
  );
}
