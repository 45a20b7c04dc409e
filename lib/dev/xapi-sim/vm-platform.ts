/**
 * Checks xapi runs on a VM's platform settings when it builds the domain (Vm_platform.sanity_check): an HVM
 * guest's `VCPUs_max` must be a multiple of `platform:cores-per-socket`, so a vCPU count that does not fit the
 * topology is only refused at the next start.
 */
import type { VmRecord } from "@/lib/xapi/model/records.generated";
import { XapiError } from "./errors";

export function assertVcpuTopology(vm: VmRecord): void {
  const cps = vm.platform["cores-per-socket"];
  if (cps === undefined || vm.domain_type === "pv") return;
  if (!/^[+-]?\d+$/.test(cps.trim())) throw new XapiError("INVALID_VALUE", ["platform:cores-per-socket", cps]);
  const n = Number(cps);
  if (n < 1 || vm.VCPUs_max % n !== 0) throw new XapiError("VCPU_MAX_NOT_CORES_PER_SOCKET_MULTIPLE", [String(vm.VCPUs_max), cps]);
}
