/**
 * An operation XAPI is running on a VM (a value of its `current_operations`), in words for the VM list and page:
 * "Starting…", "Migrating…". XenDeck's own operations use their catalogue words; others a readable fallback.
 */
import { VM_MANAGEMENT, VM_MANAGEMENT_IDS } from "./management";
import { VM_OPERATION_IDS, VM_OPERATIONS } from "./operations";

/** Operations XAPI runs on VMs that XenDeck does not start itself, but may see in progress. */
const OTHER_OPERATIONS: Record<string, string> = {
  migrate_send: "Migrating",
  checkpoint: "Checkpointing",
  provision: "Provisioning",
  import: "Importing",
  export: "Exporting",
  make_into_template: "Converting to a template",
  suspend: "Suspending",
  resume_on: "Resuming",
  awaiting_memory_live: "Adjusting memory",
  changing_memory_live: "Adjusting memory",
  changing_dynamic_range: "Adjusting memory",
  changing_VCPUs_live: "Changing vCPUs",
  snapshot_with_quiesce: "Snapshotting",
  shutdown: "Shutting down",
  reverting: "Reverting",
};

const WORDS = new Map<string, string>([
  ...Object.entries(OTHER_OPERATIONS),
  ...VM_MANAGEMENT_IDS.flatMap((id) => {
    const { xapiOperation, progressive } = VM_MANAGEMENT[id];
    // "Reverting to" and "Deleting" read well alone once "to" goes.
    return xapiOperation ? [[xapiOperation, progressive.replace(/ to$/, "")] as [string, string]] : [];
  }),
  ...VM_OPERATION_IDS.map((id) => [VM_OPERATIONS[id].xapiOperation, VM_OPERATIONS[id].progressive.replace(/ of$/, "")] as [string, string]),
]);

/** "Starting…" for `start`; an unknown operation's own name with spaces ("Some thing…"). */
export function operationInProgress(xapiOperation: string): string {
  const known = WORDS.get(xapiOperation);
  if (known) return `${known}…`;
  const words = xapiOperation.replace(/_/g, " ").trim();
  return words ? `${words[0]!.toUpperCase()}${words.slice(1)}…` : "Busy…";
}
