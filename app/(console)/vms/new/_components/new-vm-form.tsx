"use client";

/**
 * The New VM form: a template of a pool where the user may create VMs, then name, vCPUs and memory, disks (the
 * template's provision spec first), interfaces (the template's first), boot device and ISO, home host, the
 * cloud-init config drive for cloud templates, and whether to start. Sizes are sent as typed ("20 GiB"): the
 * server reads them. While the creation runs, its steps are polled from /api/vm-creations/<id>; a success opens
 * the new VM's page.
 */
import { useRouter } from "next/navigation";
import { useEffect, useId, useMemo, useRef, useState, type FormEvent } from "react";
import type { CreationPool, CreationTemplate } from "@/lib/inventory/vm-creation";
import { CLOUD_INIT_VARIABLES, DEFAULT_USER_DATA } from "@/lib/vm/create/cloud-init";
import { MAX_NEW_DISKS, type VmCreationInput } from "@/lib/vm/create/input";
import type { CreationProgress, CreationStep } from "@/lib/vm/create/steps";
import { sizeText } from "@/lib/vm/sizes";
import { Button } from "@/lib/ui/button";
import { Card } from "@/lib/ui/card";
import { cx } from "@/lib/ui/classes";
import { CheckboxField, FieldError, inputClasses, SelectField, TextField } from "@/lib/ui/field";
import { formatBytes } from "@/lib/ui/format";
import { StatusMessage } from "@/lib/ui/status-message";
import { useToast } from "@/lib/ui/toast";
import { useAction } from "@/lib/ui/use-action";
import { createVmAction } from "../actions";

type DiskRow = { key: number; size: string; sr: string; name: string };
type InterfaceRow = { key: number; network: string; mac: string };

let nextKey = 1;
const key = () => nextKey++;

function defaultSr(pool: CreationPool): string {
  return (pool.srs.find((sr) => sr.isDefault) ?? pool.srs[0])?.uuid ?? "";
}

function rowsFor(pool: CreationPool, template: CreationTemplate | undefined) {
  const disks: DiskRow[] = (template?.specDisks ?? []).map((disk) => ({ key: key(), size: sizeText(disk.sizeBytes), sr: defaultSr(pool), name: "" }));
  const networks = template?.networks.length ? template.networks : pool.networks.slice(0, 1).map((network) => network.uuid);
  const interfaces: InterfaceRow[] = networks.map((network) => ({ key: key(), network, mac: "" }));
  return { disks, interfaces };
}

const STEP_ICON: Record<CreationStep["state"], string> = {
  pending: "○",
  running: "…",
  done: "✓",
  failed: "✗",
  skipped: "–",
  undone: "↺",
};

export function NewVmForm({ pools }: { pools: CreationPool[] }) {
  const router = useRouter();
  const toast = useToast();
  const create = useAction(createVmAction);
  const [poolId, setPoolId] = useState(pools[0]!.id);
  const pool = pools.find((candidate) => candidate.id === poolId) ?? pools[0]!;
  const [templateUuid, setTemplateUuid] = useState("");
  const template = pool.templates.find((candidate) => candidate.uuid === templateUuid);
  const [name, setName] = useState("");
  const [description, setDescription] = useState("");
  const [vcpus, setVcpus] = useState("1");
  const [memory, setMemory] = useState("2 GiB");
  const [templateDisksSr, setTemplateDisksSr] = useState("");
  const [templateSizes, setTemplateSizes] = useState<Record<string, string>>({});
  const [disks, setDisks] = useState<DiskRow[]>([]);
  const [interfaces, setInterfaces] = useState<InterfaceRow[]>(() => rowsFor(pool, undefined).interfaces);
  const [boot, setBoot] = useState<"disk" | "cd" | "network">("disk");
  const [iso, setIso] = useState("");
  const [affinity, setAffinity] = useState("");
  const [userData, setUserData] = useState(DEFAULT_USER_DATA);
  const [networkConfig, setNetworkConfig] = useState("");
  const [start, setStart] = useState(true);
  const [steps, setSteps] = useState<CreationStep[] | null>(null);
  const progressId = useRef<string | null>(null);

  function chooseTemplate(uuid: string, inPool: CreationPool = pool) {
    setTemplateUuid(uuid);
    const chosen = inPool.templates.find((candidate) => candidate.uuid === uuid);
    const rows = rowsFor(inPool, chosen);
    setDisks(rows.disks);
    setInterfaces(rows.interfaces);
    setTemplateSizes(Object.fromEntries((chosen?.ownDisks ?? []).map((disk) => [disk.position, sizeText(disk.sizeBytes)])));
    setTemplateDisksSr("");
    if (chosen) {
      setVcpus(String(chosen.vcpus));
      setMemory(sizeText(chosen.memoryBytes));
      // Disk first: an empty disk falls through to the CD, so an install from an ISO boots as well.
      setBoot("disk");
    }
  }

  function choosePool(id: string) {
    setPoolId(id);
    const next = pools.find((candidate) => candidate.id === id)!;
    chooseTemplate("", next);
    setIso("");
    setAffinity("");
  }

  // While the creation runs: its steps, from the instance that runs it.
  useEffect(() => {
    if (!create.pending || !progressId.current) return;
    const id = progressId.current;
    let stopped = false;
    const poll = async () => {
      const response = await fetch(`/api/vm-creations/${id}`, { cache: "no-store" }).catch(() => null);
      if (!stopped && response?.ok) setSteps(((await response.json()) as CreationProgress).steps);
    };
    const timer = setInterval(poll, 400);
    return () => {
      stopped = true;
      clearInterval(timer);
    };
  }, [create.pending]);

  async function submit(event: FormEvent<HTMLFormElement>) {
    event.preventDefault();
    const id = crypto.randomUUID();
    progressId.current = id;
    setSteps(null);
    const input: VmCreationInput = {
      progressId: id,
      template: templateUuid,
      name,
      description,
      vcpus,
      memory,
      templateDisksSr,
      templateDisks: Object.entries(templateSizes).map(([position, size]) => ({ position, size })),
      disks: disks.map(({ size, sr, name: diskName }) => ({ size, sr, name: diskName })),
      interfaces: interfaces.map(({ network, mac }) => ({ network, mac })),
      boot,
      iso,
      affinity,
      start,
      ...(template?.cloudInit ? { cloudInit: { userData, networkConfig } } : {}),
    };
    const result = await create.run(input);
    if (result.ok) {
      setSteps(result.steps);
      toast({ tone: result.started || !start ? "success" : "warning", title: result.message });
      router.push(`/vms/${result.vm.uuid}`);
      return;
    }
    const response = await fetch(`/api/vm-creations/${id}`, { cache: "no-store" }).catch(() => null);
    setSteps(response?.ok ? ((await response.json()) as CreationProgress).steps : null);
  }

  const errors = create.fieldErrors;
  const pending = create.pending;
  const srOptions = useMemo(
    () => pool.srs.map((sr) => ({ value: sr.uuid, label: `${sr.label}${sr.isDefault ? " (default)" : ""} · ${formatBytes(sr.freeBytes)} free` })),
    [pool],
  );

  return (
    <form onSubmit={submit} noValidate className="space-y-4" aria-label="New VM">
      <fieldset disabled={pending} className="space-y-4">
        <Card title="Template">
          <div className="grid gap-3 sm:grid-cols-2">
            {pools.length > 1 && (
              <SelectField
                label="Pool"
                name="pool"
                value={poolId}
                onChange={(event) => choosePool(event.target.value)}
                options={pools.map((p) => ({ value: p.id, label: p.label }))}
              />
            )}
            <SelectField
              label="Template"
              name="template"
              required
              value={templateUuid}
              placeholder="Choose a template…"
              onChange={(event) => chooseTemplate(event.target.value)}
              error={errors.template}
              options={pool.templates.map((t) => ({ value: t.uuid, label: t.cloudInit ? `${t.name} (cloud-init)` : t.name }))}
            />
          </div>
          {template?.description && <p className="mt-2 text-xs text-muted">{template.description}</p>}
        </Card>

        <Card title="Name and size">
          <div className="grid gap-3 sm:grid-cols-2">
            <TextField label="Name" name="name" required value={name} onChange={(event) => setName(event.target.value)} error={errors.name} />
            <TextField
              label="Description"
              name="description"
              value={description}
              onChange={(event) => setDescription(event.target.value)}
              error={errors.description}
            />
            <TextField
              label="vCPUs"
              name="vcpus"
              inputMode="numeric"
              required
              value={vcpus}
              onChange={(event) => setVcpus(event.target.value)}
              hint={template ? `At most ${template.limits.vcpusMax}` : undefined}
              error={errors.vcpus}
            />
            <TextField
              label="Memory"
              name="memory"
              required
              value={memory}
              onChange={(event) => setMemory(event.target.value)}
              hint={
                template ? `${sizeText(template.limits.memoryMin)} to ${sizeText(template.limits.memoryMax)}; e.g. 2 GiB or 512 MiB` : "e.g. 2 GiB or 512 MiB"
              }
              error={errors.memory}
            />
          </div>
        </Card>

        <Card title="Disks" description="Sizes such as 20 GiB; the first new disk is the boot disk when the template has none.">
          <div className="space-y-3">
            {template && template.ownDisks.length > 0 && (
              <div className="space-y-2">
                <SelectField
                  label="Storage for the template's disks"
                  name="templateDisksSr"
                  value={templateDisksSr}
                  onChange={(event) => setTemplateDisksSr(event.target.value)}
                  error={errors.templateDisksSr}
                  options={[{ value: "", label: "Where the template's disks are (fast clone)" }, ...srOptions]}
                />
                {template.ownDisks.map((disk) => (
                  <TextField
                    key={disk.position}
                    label={`Size of ${disk.name || `disk ${disk.position}`} (from the template)`}
                    name={`templateDisk-${disk.position}`}
                    value={templateSizes[disk.position] ?? ""}
                    onChange={(event) => setTemplateSizes((sizes) => ({ ...sizes, [disk.position]: event.target.value }))}
                    hint={`At least ${sizeText(disk.sizeBytes)}: disks only grow`}
                  />
                ))}
                <FieldError id="template-disks-error" error={errors.templateDisks} />
              </div>
            )}
            {disks.map((disk, index) => (
              <div key={disk.key} className="grid items-end gap-2 sm:grid-cols-[8rem_1fr_1fr_auto]">
                <TextField
                  label={`Size of disk ${index + 1}`}
                  name={`disk-${index}-size`}
                  value={disk.size}
                  onChange={(event) => setDisks((rows) => rows.map((row) => (row.key === disk.key ? { ...row, size: event.target.value } : row)))}
                />
                <SelectField
                  label={`Storage of disk ${index + 1}`}
                  name={`disk-${index}-sr`}
                  value={disk.sr}
                  onChange={(event) => setDisks((rows) => rows.map((row) => (row.key === disk.key ? { ...row, sr: event.target.value } : row)))}
                  options={srOptions}
                />
                <TextField
                  label={`Name of disk ${index + 1} (optional)`}
                  name={`disk-${index}-name`}
                  value={disk.name}
                  onChange={(event) => setDisks((rows) => rows.map((row) => (row.key === disk.key ? { ...row, name: event.target.value } : row)))}
                />
                <Button
                  variant="ghost"
                  icon="close"
                  aria-label={`Remove disk ${index + 1}`}
                  onClick={() => setDisks((rows) => rows.filter((row) => row.key !== disk.key))}
                >
                  <span className="sm:sr-only">Remove</span>
                </Button>
              </div>
            ))}
            <FieldError id="disks-error" error={errors.disks} />
            <Button
              icon="plus"
              disabledReason={
                disks.length >= MAX_NEW_DISKS ? `At most ${MAX_NEW_DISKS} new disks` : pool.srs.length === 0 ? "No storage you may use in this pool" : null
              }
              onClick={() => setDisks((rows) => [...rows, { key: key(), size: "10 GiB", sr: defaultSr(pool), name: "" }])}
            >
              Add a disk
            </Button>
          </div>
        </Card>

        <Card title="Network interfaces" description="Leave the MAC address empty for one chosen by the pool.">
          <div className="space-y-3">
            {interfaces.map((vif, index) => (
              <div key={vif.key} className="grid items-end gap-2 sm:grid-cols-[1fr_1fr_auto]">
                <SelectField
                  label={`Network of interface ${index + 1}`}
                  name={`vif-${index}-network`}
                  value={vif.network}
                  onChange={(event) => setInterfaces((rows) => rows.map((row) => (row.key === vif.key ? { ...row, network: event.target.value } : row)))}
                  options={pool.networks.map((network) => ({ value: network.uuid, label: network.name }))}
                />
                <TextField
                  label={`MAC address of interface ${index + 1}`}
                  name={`vif-${index}-mac`}
                  placeholder="automatic"
                  value={vif.mac}
                  onChange={(event) => setInterfaces((rows) => rows.map((row) => (row.key === vif.key ? { ...row, mac: event.target.value } : row)))}
                />
                <Button
                  variant="ghost"
                  icon="close"
                  aria-label={`Remove interface ${index + 1}`}
                  onClick={() => setInterfaces((rows) => rows.filter((row) => row.key !== vif.key))}
                >
                  <span className="sm:sr-only">Remove</span>
                </Button>
              </div>
            ))}
            <FieldError id="interfaces-error" error={errors.interfaces} />
            <Button
              icon="plus"
              disabledReason={
                pool.networks.length === 0
                  ? "No network you may use in this pool"
                  : interfaces.length >= (template?.limits.interfacesMax ?? 7)
                    ? "No more interfaces allowed"
                    : null
              }
              onClick={() => setInterfaces((rows) => [...rows, { key: key(), network: pool.networks[0]?.uuid ?? "", mac: "" }])}
            >
              Add an interface
            </Button>
          </div>
        </Card>

        <Card title="Boot and placement">
          <div className="grid gap-3 sm:grid-cols-2">
            <fieldset className="space-y-1.5">
              <legend className="mb-1 text-xs font-medium">Boot from</legend>
              {(
                [
                  ["disk", "Disk"],
                  ["cd", "CD (ISO)"],
                  ["network", "Network (PXE)"],
                ] as const
              ).map(([value, label]) => (
                <label key={value} className="flex items-center gap-2 text-sm">
                  <input type="radio" name="boot" value={value} checked={boot === value} onChange={() => setBoot(value)} className="size-4 accent-accent" />
                  {label}
                </label>
              ))}
            </fieldset>
            <SelectField
              label="ISO in the CD drive"
              name="iso"
              value={iso}
              onChange={(event) => setIso(event.target.value)}
              error={errors.iso}
              options={[
                { value: "", label: "None (empty drive)" },
                ...pool.isos.map((image) => ({ value: image.uuid, label: `${image.name} (${image.library})` })),
              ]}
            />
            <SelectField
              label="Home host"
              name="affinity"
              value={affinity}
              onChange={(event) => setAffinity(event.target.value)}
              hint="Where the VM starts when it fits there"
              error={errors.affinity}
              options={[{ value: "", label: "No preference" }, ...pool.hosts.map((host) => ({ value: host.uuid, label: host.name }))]}
            />
          </div>
        </Card>

        {template?.cloudInit && (
          <Card title="Cloud-init" description="Written to a NoCloud config drive (cidata) that the VM reads at its first boot.">
            <div className="space-y-3">
              <TextArea label="User data" name="userData" value={userData} onChange={setUserData} rows={8} error={errors.cloudInit} />
              <p className="text-xs text-muted">
                Variables:{" "}
                {CLOUD_INIT_VARIABLES.map((variable, index) => (
                  <span key={variable.name}>
                    {index > 0 && "; "}
                    <code>{variable.name}</code> {variable.meaning}
                  </span>
                ))}
                .
              </p>
              <TextArea label="Network configuration (optional)" name="networkConfig" value={networkConfig} onChange={setNetworkConfig} rows={4} />
            </div>
          </Card>
        )}

        <CheckboxField label="Start the VM once created" name="start" checked={start} onChange={(event) => setStart(event.target.checked)} />
      </fieldset>

      <div className="flex flex-wrap items-center gap-3">
        <Button type="submit" variant="primary" pending={pending} disabledReason={templateUuid ? null : "Choose a template first"}>
          {pending ? "Creating…" : "Create VM"}
        </Button>
      </div>
      {steps && <CreationSteps steps={steps} />}
      <StatusMessage tone="error" message={pending ? null : create.formError} />
    </form>
  );
}

function CreationSteps({ steps }: { steps: CreationStep[] }) {
  return (
    <ol aria-label="Creation steps" className="space-y-1 text-sm">
      {steps
        .filter((step) => step.state !== "skipped")
        .map((step) => (
          <li
            key={step.id}
            data-state={step.state}
            className={cx("flex gap-2", step.state === "failed" && "text-error-text", step.state === "pending" && "text-muted")}
          >
            <span aria-hidden="true" className="w-4 text-center">
              {STEP_ICON[step.state]}
            </span>
            <span>
              {step.label}
              {step.detail && <span className="text-muted"> ({step.detail})</span>}
              <span className="sr-only"> — {step.state}</span>
              {step.state === "undone" && <span className="text-muted"> (removed)</span>}
            </span>
          </li>
        ))}
    </ol>
  );
}

function TextArea({
  label,
  name,
  value,
  onChange,
  rows,
  error,
}: {
  label: string;
  name: string;
  value: string;
  onChange: (value: string) => void;
  rows: number;
  error?: string[];
}) {
  const id = useId();
  return (
    <div className="space-y-1">
      <label htmlFor={id} className="block text-xs font-medium">
        {label}
      </label>
      <textarea
        id={id}
        name={name}
        rows={rows}
        value={value}
        spellCheck={false}
        onChange={(event) => onChange(event.target.value)}
        aria-invalid={error?.length ? true : undefined}
        aria-describedby={`${id}-error`}
        className={cx(inputClasses, "h-auto py-1.5 font-mono text-xs")}
      />
      <FieldError id={`${id}-error`} error={error} />
    </div>
  );
}
