"use client";

/** The outcome of a bulk operation: a summary line and one line per VM (errors first, in words). */
import { Icon } from "@/lib/ui/icons";
import { cx } from "@/lib/ui/classes";
import type { BulkItemOutcome } from "@/lib/vm/lifecycle-actions";
import { VM_OPERATIONS, type VmOperationId } from "@/lib/vm/operations";

export function OperationResults({ operation, results, onDismiss }: { operation: VmOperationId; results: BulkItemOutcome[]; onDismiss: () => void }) {
  const failed = results.filter((item) => !item.result.ok);
  const succeeded = results.length - failed.length;
  const summary = [succeeded > 0 && `${succeeded} ${VM_OPERATIONS[operation].past}`, failed.length > 0 && `${failed.length} failed`].filter(Boolean).join(", ");
  return (
    <div role="status" className={cx("rounded-md border px-3 py-2 text-sm", failed.length ? "border-error/40 bg-error-soft" : "border-ok/40 bg-ok-soft")}>
      <div className="flex items-start justify-between gap-2">
        <p className="font-medium">
          {VM_OPERATIONS[operation].label.replace("…", "")}: {summary}
        </p>
        <button type="button" onClick={onDismiss} aria-label="Dismiss results" className="-m-1 rounded p-1 opacity-70 hover:opacity-100">
          <Icon name="close" size={14} />
        </button>
      </div>
      <ul className="mt-1 space-y-0.5">
        {[...failed, ...results.filter((item) => item.result.ok)].map(({ vm, result }, index) => (
          <li key={`${vm.uuid}-${index}`} className="flex items-start gap-1.5">
            <Icon name={result.ok ? "check" : "error"} size={14} className={cx("mt-0.5 shrink-0", result.ok ? "text-ok-text" : "text-error-text")} />
            <span>{result.ok ? result.message : `${vm.name ?? vm.uuid}: ${result.error}`}</span>
          </li>
        ))}
      </ul>
    </div>
  );
}
