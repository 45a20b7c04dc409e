/**
 * The New VM form's read model: the pools where the user may create VMs (`pool.vm.create`), and in each only
 * what the user may use: templates, SRs (attached, not ISO libraries), networks, ISOs and hosts they can see.
 * Templates come with what the form proposes: their vCPUs and memory, their limits (`recommendations`), the
 * disks of their provision spec, their own disks and interfaces, and whether they read a cloud-init drive.
 */
import "server-only";
import { can } from "@/lib/access/can";
import { hostSecurable, networkSecurable, poolSecurable, srSecurable, vmSecurable } from "@/lib/access/securables";
import type { CurrentUser } from "@/lib/auth/session-user";
import { VersionedMemo } from "@/lib/memo";
import { loadPoolViews, type PoolView } from "@/lib/pools/views";
import { CLOUD_INIT_TAG, provisionDisks, templateLimits, type TemplateLimits } from "@/lib/vm/create/input";
import type { PoolConnection, XapiObject } from "@/lib/xapi";
import { srLabel } from "@/lib/pools/names";
import { isoOptions, type IsoOption } from "./iso-options";

export interface CreationTemplate {
  uuid: string;
  name: string;
  description: string;
  vcpus: number;
  memoryBytes: number;
  limits: TemplateLimits;
  /** Disks the template's provision spec would make: the form's first disk rows. */
  specDisks: { position: string; sizeBytes: number }[];
  /** The template's own disks (a cloud template's system disk): copied with it. */
  ownDisks: { position: string; name: string; sizeBytes: number; srUuid: string | null }[];
  /** Networks of the template's interfaces that the user may use: the form's first interface rows. */
  networks: string[];
  cloudInit: boolean;
}

export interface CreationPool {
  id: string;
  uuid: string;
  label: string;
  templates: CreationTemplate[];
  srs: { uuid: string; label: string; freeBytes: number; thin: boolean; isDefault: boolean }[];
  networks: { uuid: string; name: string }[];
  isos: IsoOption[];
  hosts: { uuid: string; name: string }[];
}

const byName = <T extends { name: string }>(a: T, b: T) => a.name.localeCompare(b.name, undefined, { numeric: true });
const THIN_SR_TYPES = new Set(["nfs", "ext", "file", "smb", "cephfs", "glusterfs", "xfs", "zfs", "largeblock"]);

/**
 * Template limits per cached template record: one XAPI call per template, asked again when the template changes
 * (a changed template is a new frozen record, and the old one's entry goes with it).
 */
const limitsMemo = VersionedMemo.weak<XapiObject<"VM">, Promise<TemplateLimits>>();

function limitsOf(connection: PoolConnection, template: XapiObject<"VM">): Promise<TemplateLimits> {
  return limitsMemo.get(template, [], () =>
    connection.client
      .call<string>("VM.get_recommendations", template.$ref)
      .then((xml) => templateLimits(xml, template.memory_static_min))
      .catch(() => templateLimits("", template.memory_static_min)),
  );
}

async function creationPool(user: CurrentUser, view: PoolView, connection: PoolConnection): Promise<CreationPool> {
  const cache = connection.cache;
  const poolUuid = view.uuid;
  const defaultSr = cache.pool()?.default_SR;
  const srs = cache
    .list("SR")
    .filter(
      (sr) => sr.content_type !== "iso" && cache.pbdsBySr(sr.$ref).some((pbd) => pbd.currently_attached) && can(user, "sr.view", srSecurable(poolUuid, sr)),
    )
    .map((sr) => ({
      uuid: sr.uuid,
      label: srLabel(cache, sr),
      name: srLabel(cache, sr),
      freeBytes: Math.max(0, sr.physical_size - sr.physical_utilisation),
      thin: THIN_SR_TYPES.has(sr.type),
      isDefault: sr.$ref === defaultSr,
    }))
    .sort(byName)
    .map(({ name: _name, ...sr }) => sr);
  const networks = cache
    .list("network")
    .filter((network) => can(user, "network.view", networkSecurable(poolUuid, network)))
    // The host-internal network reaches only dom0 (XenCenter hides it too).
    .filter((network) => network.other_config.is_host_internal_management_network !== "true")
    .map((network) => ({ uuid: network.uuid, name: network.name_label }))
    .sort(byName);
  const isos = isoOptions(user, poolUuid, cache);
  const hosts = cache
    .list("host")
    .filter((host) => can(user, "host.view", hostSecurable(poolUuid, host)))
    .map((host) => ({ uuid: host.uuid, name: host.name_label }))
    .sort(byName);
  const usableNetworks = new Set(networks.map((network) => network.uuid));
  const templates = await Promise.all(
    cache
      .list("VM")
      .filter((vm) => vm.is_a_template && !vm.is_a_snapshot && can(user, "vm.view", vmSecurable(poolUuid, cache, vm)))
      .map(async (template): Promise<CreationTemplate> => {
        const ownDisks = cache
          .vbdsByVm(template.$ref)
          .filter((vbd) => vbd.type === "Disk" && !vbd.empty)
          .flatMap((vbd) => {
            const vdi = cache.get("VDI", vbd.VDI);
            return vdi ? [{ position: vbd.userdevice, name: vdi.name_label, sizeBytes: vdi.virtual_size, srUuid: cache.get("SR", vdi.SR)?.uuid ?? null }] : [];
          });
        const specDisks = provisionDisks(template.other_config.disks).map((disk) => ({ position: disk.position, sizeBytes: disk.sizeBytes }));
        return {
          uuid: template.uuid,
          name: template.name_label,
          description: template.name_description,
          vcpus: template.VCPUs_at_startup,
          memoryBytes: template.memory_static_max,
          limits: await limitsOf(connection, template),
          specDisks,
          ownDisks,
          networks: cache
            .vifsByVm(template.$ref)
            .map((vif) => cache.get("network", vif.network)?.uuid)
            .filter((uuid): uuid is string => uuid !== undefined && usableNetworks.has(uuid)),
          cloudInit: template.tags.includes(CLOUD_INIT_TAG),
        };
      }),
  );
  templates.sort(byName);
  return { id: view.id, uuid: poolUuid, label: view.label, templates, srs, networks, isos, hosts };
}

/** The pools where `user` may create VMs, connected now, with what the form offers in each. */
export async function vmCreationForm(user: CurrentUser): Promise<CreationPool[]> {
  const views = (await loadPoolViews()).filter((view) => view.connection && !view.readOnly && can(user, "pool.vm.create", poolSecurable(view.uuid)));
  return Promise.all(views.map((view) => creationPool(user, view, view.connection!)));
}

/** Whether `user` may create VMs in some pool (the VM list's "New VM" button). */
export async function canCreateVms(user: CurrentUser): Promise<boolean> {
  return (await loadPoolViews()).some((view) => view.connection && !view.readOnly && can(user, "pool.vm.create", poolSecurable(view.uuid)));
}
