"use client";

/**
 * The VM page's management buttons (snapshot, clone, copy, migrate, edit, delete): only those the user may
 * perform (the server decided), disabled with XAPI's reason when the VM's state does not allow them. Each opens
 * a small form; while its task runs the dialog shows the progress; the outcome is shown in words, with a link
 * to a new VM. After a delete the browser goes to the VM list with a notice.
 */
import Link from "next/link";
import { useRouter } from "next/navigation";
import { useState } from "react";
import type { VmManagementResult } from "@/lib/vm/management-actions";
import { defaultSnapshotName, DESCRIPTION_MAX, NAME_MAX, VM_MANAGEMENT, type VmManagementId, type VmManagementInput } from "@/lib/vm/management";
import type { VmManagementView } from "@/lib/inventory/vm-management";
import type { VmTaskDto } from "@/lib/inventory/vms";
import { SelectField, TextField } from "@/lib/ui/field";
import { formatBytes } from "@/lib/ui/format";
import { FormDialog, type FormDialogResult } from "@/lib/ui/form-dialog";
import { ProgressBar } from "@/lib/ui/progress";
import { StatusMessage } from "@/lib/ui/status-message";
import { useToast } from "@/lib/ui/toast";
import { useAction } from "@/lib/ui/use-action";
import { vmManagementAction, vmPlacementAction } from "@/app/(console)/vms/[uuid]/actions";

type Props = Omit<VmManagementView, "snapshotOperations"> & {
  vm: { uuid: string; name: string; description: string };
  /** Operations running on the VM now, with their task's progress (refreshed by the live updates). */
  tasks: VmTaskDto[];
};

const text = (data: FormData, name: string) => String(data.get(name) ?? "");

export function VmManagementButtons({ vm, operations, migrationHosts, copyTargets, deletion, tasks }: Props) {
  const router = useRouter();
  const toast = useToast();
  const management = useAction(vmManagementAction);
  // Which hosts can run the VM is asked of the pool when the migrate dialog opens (VM.assert_can_boot_here).
  const placement = useAction(vmPlacementAction);
  const [snapshotName, setSnapshotName] = useState("");
  // The destination the user picked: kept when the pool's answer arrives, unless that host turns out unable.
  const [destination, setDestination] = useState<string | null>(null);
  const outcome = management.pending ? null : management.result;

  // The page follows the VM's new state through the live stream; after a delete the VM page is gone.
  async function run(input: VmManagementInput): Promise<FormDialogResult> {
    const result = await management.run(input);
    if (input.operation === "delete" && (result.ok || result.followUp)) {
      toast(
        result.ok ? { tone: "success", title: result.message } : { tone: "error", title: `${vm.name} was deleted, with a problem`, description: result.error },
      );
      router.push("/vms");
      return { ok: true };
    }
    if (!result.ok && result.fieldErrors && Object.keys(result.fieldErrors).length > 0) return result;
    return result.ok ? { ok: true } : { ok: false, error: result.error };
  }

  /** The dialog's progress bar: the task's own progress once the live updates bring it. */
  const progress = (id: VmManagementId) => {
    const spec = VM_MANAGEMENT[id];
    const task = tasks.find((candidate) => candidate.operation === spec.xapiOperation);
    return <ProgressBar label={`${spec.progressive} ${vm.name}…`} value={task?.progress ?? null} showLabel />;
  };

  if (operations.length === 0) return null;
  const startable = migrationHosts.filter((host) => host.unavailableReason === null);
  const checked = !placement.pending && placement.result?.ok ? placement.result.hosts : null;
  const destinations = migrationHosts.map((host) => ({
    ...host,
    unavailableReason: host.unavailableReason ?? checked?.find((candidate) => candidate.uuid === host.uuid)?.unavailableReason ?? null,
  }));
  const possible = destinations.filter((host) => host.unavailableReason === null);
  const chosen = possible.some((host) => host.uuid === destination) ? destination! : (possible[0]?.uuid ?? "");
  return (
    <div className="space-y-2">
      <div role="toolbar" aria-label="VM management" className="flex flex-wrap items-center gap-2">
        {operations.map(({ id, unavailableReason }) => {
          const spec = VM_MANAGEMENT[id];
          const common = { triggerLabel: spec.label, disabledReason: unavailableReason, submitLabel: spec.label, progress: progress(id) };
          switch (id) {
            case "snapshot":
              return (
                <FormDialog
                  key={id}
                  {...common}
                  title={`Snapshot ${vm.name}`}
                  description="Saves the VM's disks and settings as they are now; you can revert to it later."
                  submitLabel="Take snapshot"
                  onOpen={() => setSnapshotName(defaultSnapshotName(vm.name, new Date()))}
                  onSubmit={(data) => run({ operation: "snapshot", vm: vm.uuid, name: text(data, "name") })}
                >
                  {(errors) => <TextField label="Snapshot name" name="name" defaultValue={snapshotName} maxLength={NAME_MAX} error={errors.name} required />}
                </FormDialog>
              );
            case "clone":
              return (
                <FormDialog
                  key={id}
                  {...common}
                  title={`Clone ${vm.name}`}
                  description="A new halted VM with its own copies of the disks, on the same storage (a fast clone where the storage allows it)."
                  onSubmit={(data) => run({ operation: "clone", vm: vm.uuid, name: text(data, "name") })}
                >
                  {(errors) => (
                    <TextField label="Name of the clone" name="name" defaultValue={`${vm.name} (clone)`} maxLength={NAME_MAX} error={errors.name} required />
                  )}
                </FormDialog>
              );
            case "copy":
              return (
                <FormDialog
                  key={id}
                  {...common}
                  title={`Copy ${vm.name}`}
                  description="A new halted VM with full copies of the disks, on the storage you choose."
                  onSubmit={(data) => run({ operation: "copy", vm: vm.uuid, name: text(data, "name"), sr: text(data, "sr") })}
                >
                  {(errors) => (
                    <>
                      <TextField label="Name of the copy" name="name" defaultValue={`${vm.name} (copy)`} maxLength={NAME_MAX} error={errors.name} required />
                      <SelectField
                        label="Storage for the disks"
                        name="sr"
                        defaultValue=""
                        error={errors.sr}
                        options={[
                          { value: "", label: "Each disk on its current storage" },
                          ...copyTargets.map((sr) => ({
                            value: sr.uuid,
                            label: `${sr.name}${sr.isDefault ? " (default)" : ""} · ${formatBytes(sr.freeBytes)} free`,
                          })),
                        ]}
                      />
                    </>
                  )}
                </FormDialog>
              );
            case "migrate":
              return (
                <FormDialog
                  key={id}
                  {...common}
                  disabledReason={unavailableReason ?? (startable.length === 0 ? "No other host of this pool that you have access to can run it" : null)}
                  title={`Migrate ${vm.name}`}
                  description="Moves the running VM to another host of its pool, without stopping it."
                  onOpen={() => {
                    setDestination(null);
                    void placement.run({ vm: vm.uuid });
                  }}
                  onSubmit={(data) => run({ operation: "migrate", vm: vm.uuid, host: text(data, "host") })}
                >
                  {(errors) => (
                    <>
                      {placement.pending && <ProgressBar label="Asking the pool which hosts can run it…" showLabel />}
                      {!placement.pending && placement.result && !placement.result.ok && <StatusMessage tone="error" message={placement.result.error} />}
                      <SelectField
                        label="Destination host"
                        name="host"
                        value={chosen}
                        onChange={(event) => setDestination(event.target.value)}
                        error={errors.host}
                        required
                        options={destinations.map((host) => ({
                          value: host.uuid,
                          label: host.unavailableReason ? `${host.name} (${host.unavailableReason})` : host.name,
                          disabled: host.unavailableReason !== null,
                        }))}
                      />
                      {checked && possible.length === 0 && (
                        <StatusMessage tone="warning" message="No other host can run this VM now: the reasons are beside each host." />
                      )}
                      {checked && destinations.some((host) => host.unavailableReason !== null) && (
                        <ul className="space-y-0.5 text-xs text-muted" aria-label="Hosts that cannot run this VM">
                          {destinations
                            .filter((host) => host.unavailableReason !== null)
                            .map((host) => (
                              <li key={host.uuid}>
                                <span className="font-medium text-fg">{host.name}</span>: {host.unavailableReason}
                              </li>
                            ))}
                        </ul>
                      )}
                    </>
                  )}
                </FormDialog>
              );
            case "edit":
              return (
                <FormDialog
                  key={id}
                  {...common}
                  title={`Edit ${vm.name}`}
                  submitLabel="Save"
                  onSubmit={(data) => run({ operation: "edit", vm: vm.uuid, name: text(data, "name"), description: text(data, "description") })}
                >
                  {(errors) => (
                    <>
                      <TextField label="Name" name="name" defaultValue={vm.name} maxLength={NAME_MAX} error={errors.name} required />
                      <TextField label="Description" name="description" defaultValue={vm.description} maxLength={DESCRIPTION_MAX} error={errors.description} />
                    </>
                  )}
                </FormDialog>
              );
            case "delete":
              return (
                <FormDialog
                  key={id}
                  {...common}
                  triggerVariant="danger"
                  submitVariant="danger"
                  submitLabel="Delete VM"
                  title={`Delete ${vm.name}?`}
                  description={<DeletionSummary deletion={deletion} />}
                  onSubmit={(data) => run({ operation: "delete", vm: vm.uuid, confirmName: text(data, "confirmName") })}
                >
                  {(errors) => (
                    <TextField
                      label={`Type ${vm.name} to confirm`}
                      name="confirmName"
                      autoComplete="off"
                      spellCheck={false}
                      error={errors.confirmName}
                      required
                    />
                  )}
                </FormDialog>
              );
            default:
              return null;
          }
        })}
      </div>
      <ManagementOutcome outcome={outcome} />
    </div>
  );
}

function DeletionSummary({ deletion }: { deletion: VmManagementView["deletion"] }) {
  const disks = deletion?.disks ?? [];
  const snapshots = deletion?.snapshots ?? 0;
  return (
    <div className="space-y-1">
      <p>This cannot be undone. The VM is destroyed with the disks that only it uses (ISO images and disks shared with other VMs stay):</p>
      {disks.length > 0 ? (
        <ul className="list-disc pl-5">
          {disks.map((disk) => (
            <li key={disk.uuid}>
              {disk.name || "Unnamed disk"} ({formatBytes(disk.sizeBytes)})
            </li>
          ))}
        </ul>
      ) : (
        <p>It has no disk of its own.</p>
      )}
      {snapshots > 0 && (
        <p>{snapshots === 1 ? "Its snapshot is deleted too, with its disks." : `Its ${snapshots} snapshots are deleted too, with their disks.`}</p>
      )}
    </div>
  );
}

function ManagementOutcome({ outcome }: { outcome: VmManagementResult | null }) {
  const created = outcome?.ok && (outcome.operation === "clone" || outcome.operation === "copy") && outcome.created?.uuid ? outcome.created : null;
  return (
    <div className="space-y-1">
      <StatusMessage tone={outcome ? (outcome.ok ? "success" : "error") : "info"} message={outcome ? (outcome.ok ? outcome.message : outcome.error) : null} />
      {created && (
        <Link href={`/vms/${created.uuid}`} className="text-sm text-link hover:underline">
          Open {created.name}
        </Link>
      )}
    </div>
  );
}
