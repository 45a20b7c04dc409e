"use client";

/**
 * The Hardware tab: vCPUs and memory, disks, CD drive, network interfaces and tags, each with the edits the user
 * may make (the server decided: hardware for admins, CD and tags for operators) and XAPI's reason when one cannot
 * run now. Sizes are sent as typed ("20 GiB"). The page follows the VM through the live stream; the outcome of
 * the last edit is shown in words above the sections.
 */
import { useId, useState, type FormEvent } from "react";
import type { VmHardwareView } from "@/lib/inventory/vm-hardware";
import type { VmHardwareInput } from "@/lib/vm/hardware";
import type { VmHardwareResult } from "@/lib/vm/hardware-actions";
import { sizeText } from "@/lib/vm/sizes";
import { Badge } from "@/lib/ui/badge";
import { Button } from "@/lib/ui/button";
import { Card, Section } from "@/lib/ui/card";
import { ConfirmDialog } from "@/lib/ui/confirm-dialog";
import { Cell, DataTable, HeaderCell, TableBody, TableHead, TableRow, MessageRow } from "@/lib/ui/data-table";
import { FieldError, inputClasses, SelectField, TextField } from "@/lib/ui/field";
import { FormDialog, type FormDialogResult } from "@/lib/ui/form-dialog";
import { formatBytes } from "@/lib/ui/format";
import { KeyValue, KeyValueList } from "@/lib/ui/key-value";
import { StatusMessage } from "@/lib/ui/status-message";
import { useAction } from "@/lib/ui/use-action";
import { vmHardwareAction } from "../actions";

const text = (data: FormData, name: string) => String(data.get(name) ?? "");

export function HardwareEditor({ view }: { view: VmHardwareView }) {
  const { vm, may, resources, options } = view;
  const hardware = useAction(vmHardwareAction);
  const [outcome, setOutcome] = useState<VmHardwareResult | null>(null);
  const running = vm.powerState === "Running";
  const halted = vm.powerState === "Halted";

  /** Runs an edit; field errors stay in the dialog, everything else is shown above the sections. */
  async function run(input: VmHardwareInput): Promise<FormDialogResult> {
    const result = await hardware.run(input);
    setOutcome(result);
    if (!result.ok && result.fieldErrors && Object.keys(result.fieldErrors).length > 0) return result;
    return { ok: true };
  }
  const confirmRun = async (input: VmHardwareInput) => {
    const result = await hardware.run(input);
    setOutcome(result);
    return result;
  };

  return (
    <div className="space-y-5">
      <StatusMessage tone={outcome ? (outcome.ok ? "success" : "error") : "info"} message={outcome ? (outcome.ok ? outcome.message : outcome.error) : null} />

      <Card
        title="vCPUs and memory"
        actions={
          may.hardware && (
            <FormDialog
              triggerLabel="Edit vCPUs and memory"
              disabledReason={halted || running ? null : `The VM is ${vm.powerState.toLowerCase()}; it must be halted or running`}
              title={`vCPUs and memory of ${vm.name}`}
              description={
                running
                  ? "While the VM runs: the vCPUs up to its maximum, and the dynamic memory range up to its maximum memory. Halt it to change the maxima."
                  : "Takes effect at the next start. The dynamic range is where the memory balloon moves."
              }
              submitLabel="Save"
              onSubmit={(data) =>
                run({
                  operation: "resources",
                  vm: vm.uuid,
                  vcpus: text(data, "vcpus"),
                  ...(halted ? { vcpusMax: text(data, "vcpusMax"), memory: text(data, "memory") } : {}),
                  dynamicMin: text(data, "dynamicMin"),
                  dynamicMax: text(data, "dynamicMax"),
                })
              }
            >
              {(errors) => (
                <div className="grid gap-3 sm:grid-cols-2">
                  <TextField
                    label={running ? "vCPUs" : "vCPUs at start"}
                    name="vcpus"
                    inputMode="numeric"
                    defaultValue={resources.vcpus}
                    error={errors.vcpus}
                    required
                  />
                  {halted && <TextField label="Maximum vCPUs" name="vcpusMax" inputMode="numeric" defaultValue={resources.vcpusMax} error={errors.vcpusMax} />}
                  {halted && <TextField label="Memory (maximum)" name="memory" defaultValue={sizeText(resources.memoryStaticMax)} error={errors.memory} />}
                  <TextField label="Dynamic minimum" name="dynamicMin" defaultValue={sizeText(resources.dynamicMin)} error={errors.dynamicMin} />
                  <TextField label="Dynamic maximum" name="dynamicMax" defaultValue={sizeText(resources.dynamicMax)} error={errors.dynamicMax} />
                </div>
              )}
            </FormDialog>
          )
        }
      >
        <KeyValueList>
          <KeyValue label="vCPUs">{resources.vcpusMax > resources.vcpus ? `${resources.vcpus} (up to ${resources.vcpusMax})` : resources.vcpus}</KeyValue>
          <KeyValue label="Memory">
            {formatBytes(resources.memoryStaticMax)}
            {resources.dynamicMin !== resources.dynamicMax || resources.dynamicMax !== resources.memoryStaticMax ? (
              <span className="text-muted">
                {" "}
                (dynamic {formatBytes(resources.dynamicMin)}–{formatBytes(resources.dynamicMax)})
              </span>
            ) : null}
          </KeyValue>
        </KeyValueList>
      </Card>

      <Section
        title="Disks"
        actions={
          may.hardware && (
            <>
              <FormDialog
                triggerLabel="Add a disk"
                triggerIcon="plus"
                disabledReason={options.srs.length === 0 ? "No storage you may use in this pool" : null}
                title={`New disk for ${vm.name}`}
                description={running ? "The disk is plugged into the running VM at once." : undefined}
                submitLabel="Add disk"
                onSubmit={(data) => run({ operation: "disk.create", vm: vm.uuid, name: text(data, "name"), size: text(data, "size"), sr: text(data, "sr") })}
              >
                {(errors) => (
                  <>
                    <TextField label="Name" name="name" defaultValue={`${vm.name} data ${view.disks.length}`} error={errors.name} required />
                    <TextField label="Size" name="size" defaultValue="10 GiB" hint="e.g. 20 GiB" error={errors.size} required />
                    <SelectField
                      label="Storage"
                      name="sr"
                      error={errors.sr}
                      options={options.srs.map((sr) => ({ value: sr.uuid, label: `${sr.label} · ${formatBytes(sr.freeBytes)} free` }))}
                    />
                  </>
                )}
              </FormDialog>
              <FormDialog
                triggerLabel="Attach a disk"
                disabledReason={options.detachedDisks.length === 0 ? "No detached disk that you manage in this pool" : null}
                title={`Attach a disk to ${vm.name}`}
                submitLabel="Attach"
                onSubmit={(data) => run({ operation: "disk.attach", vm: vm.uuid, vdi: text(data, "vdi") })}
              >
                {(errors) => (
                  <SelectField
                    label="Detached disk"
                    name="vdi"
                    error={errors.vdi}
                    options={options.detachedDisks.map((disk) => ({ value: disk.uuid, label: `${disk.name} (${formatBytes(disk.sizeBytes)}, ${disk.sr})` }))}
                  />
                )}
              </FormDialog>
            </>
          )
        }
      >
        <DataTable label="Disks">
          <TableHead>
            <tr>
              <HeaderCell>Position</HeaderCell>
              <HeaderCell>Name</HeaderCell>
              <HeaderCell numeric>Size</HeaderCell>
              <HeaderCell>Storage</HeaderCell>
              <HeaderCell>Attached</HeaderCell>
              {may.hardware && (
                <HeaderCell>
                  <span className="sr-only">Actions</span>
                </HeaderCell>
              )}
            </tr>
          </TableHead>
          <TableBody>
            {view.disks.length === 0 ? (
              <MessageRow colSpan={may.hardware ? 6 : 5}>No disks</MessageRow>
            ) : (
              view.disks.map((disk) => (
                <TableRow key={disk.vbd}>
                  <Cell mono>
                    {disk.position}
                    {disk.bootable && <span className="text-muted"> · boot</span>}
                  </Cell>
                  <Cell>{disk.name}</Cell>
                  <Cell numeric>{formatBytes(disk.sizeBytes)}</Cell>
                  <Cell>{disk.sr ?? "—"}</Cell>
                  <Cell>{disk.attached ? "Yes" : "No"}</Cell>
                  {may.hardware && (
                    <Cell>
                      <div className="flex flex-wrap gap-1">
                        <FormDialog
                          triggerLabel="Resize"
                          disabledReason={disk.resize}
                          title={`Resize ${disk.name}`}
                          description="Disks only grow; the guest must then grow its partition and file system."
                          submitLabel="Resize"
                          onSubmit={(data) => run({ operation: "disk.resize", vm: vm.uuid, vbd: disk.vbd, size: text(data, "size") })}
                        >
                          {(errors) => <TextField label="New size" name="size" defaultValue={sizeText(disk.sizeBytes)} error={errors.size} required />}
                        </FormDialog>
                        <ConfirmDialog
                          triggerLabel="Detach"
                          disabledReason={disk.detach}
                          title={`Detach ${disk.name}?`}
                          confirmLabel="Detach"
                          onConfirm={() => confirmRun({ operation: "disk.detach", vm: vm.uuid, vbd: disk.vbd })}
                        >
                          The disk leaves {vm.name} but is kept: you can attach it again, here or to another VM.
                        </ConfirmDialog>
                        <ConfirmDialog
                          triggerLabel="Delete"
                          triggerVariant="danger"
                          disabledReason={disk.remove}
                          title={`Delete ${disk.name}?`}
                          confirmLabel="Delete disk"
                          confirmVariant="danger"
                          onConfirm={() => confirmRun({ operation: "disk.delete", vm: vm.uuid, vbd: disk.vbd })}
                        >
                          This destroys the disk and its data ({formatBytes(disk.sizeBytes)}). This cannot be undone.
                        </ConfirmDialog>
                      </div>
                    </Cell>
                  )}
                </TableRow>
              ))
            )}
          </TableBody>
        </DataTable>
      </Section>

      <Card
        title="CD drive"
        actions={
          may.cd &&
          (view.cd || halted) && (
            <>
              <FormDialog
                triggerLabel="Insert ISO"
                disabledReason={options.isos.length === 0 ? "No ISO you may use in this pool" : null}
                title={`Insert an ISO into ${vm.name}`}
                description={view.cd?.iso ? `${view.cd.iso} is ejected first.` : undefined}
                submitLabel="Insert"
                onSubmit={(data) => run({ operation: "cd.insert", vm: vm.uuid, iso: text(data, "iso") })}
              >
                {(errors) => (
                  <SelectField
                    label="ISO"
                    name="iso"
                    error={errors.iso}
                    options={options.isos.map((iso) => ({ value: iso.uuid, label: `${iso.name} (${iso.library})` }))}
                  />
                )}
              </FormDialog>
              {view.cd?.iso && (
                <Button pending={hardware.pending} onClick={() => void confirmRun({ operation: "cd.eject", vm: vm.uuid })}>
                  Eject
                </Button>
              )}
            </>
          )
        }
      >
        <p className="text-sm" aria-label="CD drive contents">
          {view.cd ? (view.cd.iso ?? "Empty") : "This VM has no CD drive" + (may.cd && halted ? "; inserting an ISO adds one." : ".")}
        </p>
      </Card>

      <Section
        title="Network interfaces"
        actions={
          may.hardware && (
            <FormDialog
              triggerLabel="Add an interface"
              triggerIcon="plus"
              disabledReason={options.networks.length === 0 ? "No network you may use in this pool" : null}
              title={`New network interface for ${vm.name}`}
              description={running ? "The interface is plugged into the running VM at once." : undefined}
              submitLabel="Add interface"
              onSubmit={(data) => run({ operation: "vif.create", vm: vm.uuid, network: text(data, "network"), mac: text(data, "mac") })}
            >
              {(errors) => (
                <>
                  <SelectField
                    label="Network"
                    name="network"
                    error={errors.network}
                    options={options.networks.map((n) => ({ value: n.uuid, label: n.name }))}
                  />
                  <TextField label="MAC address" name="mac" placeholder="automatic" hint="Leave empty for one chosen by the pool" error={errors.mac} />
                </>
              )}
            </FormDialog>
          )
        }
      >
        <DataTable label="Network interfaces">
          <TableHead>
            <tr>
              <HeaderCell>Device</HeaderCell>
              <HeaderCell>Network</HeaderCell>
              <HeaderCell>MAC</HeaderCell>
              <HeaderCell>Attached</HeaderCell>
              {may.hardware && (
                <HeaderCell>
                  <span className="sr-only">Actions</span>
                </HeaderCell>
              )}
            </tr>
          </TableHead>
          <TableBody>
            {view.interfaces.length === 0 ? (
              <MessageRow colSpan={may.hardware ? 5 : 4}>No network interfaces</MessageRow>
            ) : (
              view.interfaces.map((vif) => (
                <TableRow key={vif.uuid}>
                  <Cell mono>eth{vif.device}</Cell>
                  <Cell>{vif.network ?? "—"}</Cell>
                  <Cell mono>{vif.mac}</Cell>
                  <Cell>{vif.attached ? "Yes" : "No"}</Cell>
                  {may.hardware && (
                    <Cell>
                      <div className="flex flex-wrap gap-1">
                        {running && (
                          <Button
                            pending={hardware.pending}
                            onClick={() => void confirmRun({ operation: vif.attached ? "vif.unplug" : "vif.plug", vm: vm.uuid, vif: vif.uuid })}
                          >
                            {vif.attached ? "Unplug" : "Plug"}
                          </Button>
                        )}
                        <ConfirmDialog
                          triggerLabel="Remove"
                          triggerVariant="danger"
                          title={`Remove eth${vif.device}?`}
                          confirmLabel="Remove interface"
                          confirmVariant="danger"
                          onConfirm={() => confirmRun({ operation: "vif.remove", vm: vm.uuid, vif: vif.uuid })}
                        >
                          {running ? "It is unplugged from the running VM first." : "The VM loses this network interface."}
                        </ConfirmDialog>
                      </div>
                    </Cell>
                  )}
                </TableRow>
              ))
            )}
          </TableBody>
        </DataTable>
      </Section>

      <Tags view={view} run={confirmRun} pending={hardware.pending} />
    </div>
  );
}

function Tags({ view, run, pending }: { view: VmHardwareView; run: (input: VmHardwareInput) => Promise<VmHardwareResult>; pending: boolean }) {
  const { vm, may } = view;
  const listId = useId();
  const inputId = useId();
  const [error, setError] = useState<string[] | undefined>();
  async function add(event: FormEvent<HTMLFormElement>) {
    event.preventDefault();
    const form = event.currentTarget;
    const result = await run({ operation: "tags.add", vm: vm.uuid, tag: String(new FormData(form).get("tag") ?? "") });
    setError(result.ok ? undefined : (result.fieldErrors?.tag ?? [result.error]));
    if (result.ok) form.reset();
  }
  return (
    <Card title="Tags">
      <div className="space-y-3">
        <ul aria-label="Tags" className="flex flex-wrap gap-1.5">
          {view.tags.length === 0 && <li className="text-sm text-muted">No tags</li>}
          {view.tags.map((tag) => (
            <li key={tag}>
              <Badge tone="info">
                {tag}
                {may.tags && (
                  <button
                    type="button"
                    disabled={pending}
                    aria-label={`Remove tag ${tag}`}
                    className="ml-1 rounded px-0.5 hover:bg-hover"
                    onClick={() => void run({ operation: "tags.remove", vm: vm.uuid, tag })}
                  >
                    ×
                  </button>
                )}
              </Badge>
            </li>
          ))}
        </ul>
        {may.tags && (
          <form onSubmit={add} noValidate className="flex flex-wrap items-end gap-2">
            <div className="min-w-0 flex-1 space-y-1 sm:max-w-xs">
              <label htmlFor={inputId} className="block text-xs font-medium">
                New tag
              </label>
              <input
                id={inputId}
                name="tag"
                list={listId}
                autoComplete="off"
                aria-invalid={error ? true : undefined}
                aria-describedby={`${inputId}-error`}
                className={inputClasses}
              />
              <datalist id={listId}>
                {view.options.tags.map((tag) => (
                  <option key={tag} value={tag} />
                ))}
              </datalist>
            </div>
            <Button type="submit" pending={pending}>
              Add tag
            </Button>
            <div className="basis-full">
              <FieldError id={`${inputId}-error`} error={error} />
            </div>
          </form>
        )}
      </div>
    </Card>
  );
}
