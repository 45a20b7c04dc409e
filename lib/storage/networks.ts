/**
 * Network read models: the networks the user may view across pools (bridge, MTU, VLAN, how many hosts carry it
 * and how many VM interfaces use it), and a network's page: its PIFs per host (device, VLAN, MTU, address,
 * plugged) and its VIFs with their VMs.
 */
import "server-only";
import { can, type Securable } from "@/lib/access/can";
import { canViewWholePool, seesNothing } from "@/lib/access/pool-shortcuts";
import { hostSecurable, networkSecurable, pifSecurable, vifSecurable, vmSecurable } from "@/lib/access/securables";
import type { CurrentUser } from "@/lib/auth/session-user";
import { loadPoolViews, type PoolView } from "@/lib/pools/views";
import { isOrdinaryVm } from "@/lib/vm/fields";
import type { PoolCache, XapiObject } from "@/lib/xapi";

export interface NetworkRow {
  uuid: string;
  name: string;
  description: string;
  bridge: string;
  mtu: number;
  /** VLAN tags of its PIFs (empty: untagged). */
  vlans: number[];
  pool: { id: string; label: string };
  pifs: { attached: number; total: number };
  vifCount: number;
  /** Carried by no physical interface: private to the host(s) running its VMs. */
  internal: boolean;
  stale: boolean;
}

export interface NetworkPif {
  uuid: string;
  device: string;
  host: { uuid: string; name: string; visible: boolean } | null;
  vlan: number | null;
  mtu: number;
  ip: string;
  mac: string;
  management: boolean;
  attached: boolean;
}

export interface NetworkVif {
  uuid: string;
  device: string;
  mac: string;
  mtu: number;
  attached: boolean;
  addresses: string[];
  vm: { uuid: string; name: string; href: string | null } | null;
}

export interface NetworkDetail extends NetworkRow {
  tags: string[];
  pifList: NetworkPif[];
  vifs: NetworkVif[];
  /** VIFs on it the user may not see. */
  hiddenVifs: number;
  securable: Securable;
}

const byName = <T extends { name: string }>(a: T, b: T) => a.name.localeCompare(b.name, undefined, { numeric: true });

function networkRow(view: PoolView, cache: PoolCache, network: XapiObject<"network">): NetworkRow {
  const pifs = cache.pifsByNetwork(network.$ref);
  const vlans = [...new Set(pifs.map((pif) => pif.VLAN).filter((tag) => tag >= 0))].sort((a, b) => a - b);
  return {
    uuid: network.uuid,
    name: network.name_label,
    description: network.name_description,
    bridge: network.bridge,
    mtu: network.MTU,
    vlans,
    pool: { id: view.id, label: view.label },
    pifs: { attached: pifs.filter((pif) => pif.currently_attached).length, total: pifs.length },
    vifCount: cache.vifsByNetwork(network.$ref).length,
    internal: pifs.length === 0,
    stale: view.stale,
  };
}

function visibleNetworksOf(user: CurrentUser, view: PoolView, cache: PoolCache): XapiObject<"network">[] {
  // The host-internal management network (xenapi) is XAPI's own plumbing, not a network anyone plugs VMs into.
  const networks = cache.list("network").filter((network) => network.other_config.is_host_internal_management_network !== "true");
  if (canViewWholePool(user, view.uuid)) return networks;
  if (seesNothing(user)) return [];
  return networks.filter((network) => can(user, "network.view", networkSecurable(view.uuid, network)));
}

/** Every network the user may view, by pool then name. */
export async function visibleNetworks(user: CurrentUser, views?: PoolView[]): Promise<NetworkRow[]> {
  const rows: NetworkRow[] = [];
  for (const view of views ?? (await loadPoolViews())) {
    const cache = view.connection?.cache;
    if (!cache) continue;
    rows.push(
      ...visibleNetworksOf(user, view, cache)
        .map((network) => networkRow(view, cache, network))
        .sort(byName),
    );
  }
  return rows;
}

/** The network page's data; null when there is no such network or the user may not view it. */
export async function networkDetail(user: CurrentUser, uuid: string): Promise<NetworkDetail | null> {
  if (typeof uuid !== "string" || uuid.length > 100) return null;
  for (const view of await loadPoolViews()) {
    const cache = view.connection?.cache;
    const network = cache?.getByUuid("network", uuid);
    if (!cache || !network) continue;
    const securable = networkSecurable(view.uuid, network);
    if (!can(user, "network.view", securable)) return null;
    const pifList: NetworkPif[] = cache
      .pifsByNetwork(network.$ref)
      .filter((pif) => can(user, "pif.view", pifSecurable(view.uuid, cache, pif)))
      .map((pif) => {
        const host = cache.get("host", pif.host);
        return {
          uuid: pif.uuid,
          device: pif.device,
          host: host ? { uuid: host.uuid, name: host.name_label, visible: can(user, "host.view", hostSecurable(view.uuid, host)) } : null,
          vlan: pif.VLAN >= 0 ? pif.VLAN : null,
          mtu: pif.MTU,
          ip: pif.IP,
          mac: pif.MAC,
          management: pif.management,
          attached: pif.currently_attached,
        };
      })
      .sort((a, b) => (a.host?.name ?? "").localeCompare(b.host?.name ?? "", undefined, { numeric: true }));
    let hiddenVifs = 0;
    const vifs: NetworkVif[] = [];
    for (const vif of cache.vifsByNetwork(network.$ref)) {
      const vifTarget = vifSecurable(view.uuid, cache, vif);
      if (!vifTarget || !can(user, "vif.view", vifTarget)) {
        hiddenVifs++;
        continue;
      }
      const vm = cache.get("VM", vif.VM);
      const vmVisible = vm !== undefined && can(user, "vm.view", vmSecurable(view.uuid, cache, vm));
      vifs.push({
        uuid: vif.uuid,
        device: vif.device,
        mac: vif.MAC,
        mtu: vif.MTU,
        attached: vif.currently_attached,
        addresses: [...vif.ipv4_addresses, ...vif.ipv6_addresses],
        vm: vm && vmVisible ? { uuid: vm.uuid, name: vm.name_label, href: isOrdinaryVm(vm) ? `/vms/${vm.uuid}` : null } : null,
      });
    }
    vifs.sort((a, b) => (a.vm?.name ?? "").localeCompare(b.vm?.name ?? "", undefined, { numeric: true }) || a.device.localeCompare(b.device));
    return { ...networkRow(view, cache, network), tags: [...network.tags], pifList, vifs, hiddenVifs, securable };
  }
  return null;
}
