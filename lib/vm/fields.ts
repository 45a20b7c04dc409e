/**
 * How XenDeck reads a VM's facts from the cached records: the guest's primary IP and OS name, memory and vCPUs
 * as the list and the VM page show them. Pure functions over cached records.
 */
import type { XapiObject } from "@/lib/xapi/cache";

type GuestMetrics = XapiObject<"VM_guest_metrics"> | undefined;
type Metrics = XapiObject<"VM_metrics"> | undefined;

const IPV4 = /^\d{1,3}(\.\d{1,3}){3}$/;

/**
 * Addresses the guest tools report, per device: `networks` maps `0/ip`, `0/ipv4/0`, `0/ipv6/0`... to
 * addresses. Returns them per device number, IPv4 first, without duplicates.
 */
export function guestAddresses(guest: GuestMetrics): Map<string, string[]> {
  const byDevice = new Map<string, string[]>();
  if (!guest?.networks) return byDevice;
  const entries = Object.entries(guest.networks).sort(([a], [b]) => a.localeCompare(b));
  for (const [key, value] of entries) {
    const device = key.split("/")[0] ?? "";
    if (!value) continue;
    const list = byDevice.get(device) ?? [];
    if (!list.includes(value)) list.push(value);
    byDevice.set(device, list);
  }
  for (const list of byDevice.values()) list.sort((a, b) => Number(!IPV4.test(a)) - Number(!IPV4.test(b)));
  return byDevice;
}

/** The address to show first: the first device's first IPv4, else any address; null without guest tools. */
export function primaryIp(guest: GuestMetrics): string | null {
  if (!guest?.networks) return null;
  const networks = guest.networks;
  if (networks["0/ip"]) return networks["0/ip"];
  let fallback: string | null = null;
  for (const list of guestAddresses(guest).values()) {
    const v4 = list.find((ip) => IPV4.test(ip));
    if (v4) return v4;
    fallback ??= list[0] ?? null;
  }
  return fallback;
}

/** The guest OS name the tools report; Windows appends "|C:\Windows|\Device\..." which is dropped. */
export function osName(guest: GuestMetrics): string | null {
  const name = guest?.os_version?.name;
  if (!name) return null;
  return name.split("|")[0]!.trim() || null;
}

/** Memory in use: what the guest has now when it runs, else what it would get at start. */
export function vmMemoryBytes(vm: XapiObject<"VM">, metrics: Metrics): number {
  if ((vm.power_state === "Running" || vm.power_state === "Paused") && metrics && metrics.memory_actual > 0) return metrics.memory_actual;
  return vm.memory_dynamic_max || vm.memory_static_max;
}

/** vCPUs in use when it runs, else at start. */
export function vmVcpus(vm: XapiObject<"VM">, metrics: Metrics): number {
  if ((vm.power_state === "Running" || vm.power_state === "Paused") && metrics && metrics.VCPUs_number > 0) return metrics.VCPUs_number;
  return vm.VCPUs_at_startup;
}

/** An ordinary VM: not a template, a snapshot or a control domain (those never appear in VM lists). */
export function isOrdinaryVm(vm: XapiObject<"VM">): boolean {
  return !vm.is_a_template && !vm.is_a_snapshot && !vm.is_control_domain;
}
