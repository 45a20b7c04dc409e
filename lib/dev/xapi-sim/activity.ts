/**
 * Background life for demos and live views: now and then a guest shuts itself down or reboots, a halted VM
 * is started by someone else, a guest gets a new address, an alert appears. Off by default in programmatic
 * use (tests stay deterministic), on in the CLI. VMs with an operation in progress are left alone.
 */
import type { SrRecord, VmGuestMetricsRecord, VmRecord } from "@/lib/xapi/model/records.generated";
import { ALERTS, type AlertTemplate } from "./alert-catalogue";
import type { SimCore } from "./core";
import { isHostLive } from "./host-rules";
import { raiseAlert } from "./outside";
import type { SimPool } from "./pool";
import { Prng } from "./prng";
import type { StoredObject } from "./store";
import { chooseHost } from "./vm-lifecycle";
import { guestNetworks, markRebooted, markRunning, markStopped } from "./vm-state";

type Vm = StoredObject<VmRecord>;

export class Activity {
  private readonly rng: Prng;
  private timer: NodeJS.Timeout | undefined;

  constructor(
    private readonly core: SimCore,
    private readonly intervalMs: number,
  ) {
    this.rng = new Prng(`${core.options.seed}/activity`);
  }

  start(): void {
    this.schedule();
  }

  stop(): void {
    this.core.timers.clear(this.timer);
    this.timer = undefined;
  }

  private schedule(): void {
    const delay = this.intervalMs * (0.5 + this.rng.next());
    this.timer = this.core.timers.setTimeout(() => {
      try {
        this.step();
      } catch (error) {
        this.core.options.log(`activity: ${(error as Error).message}`);
      }
      this.schedule();
    }, delay);
  }

  /** One random change in one random pool. */
  step(): void {
    const pool = this.rng.pick(this.core.pools);
    const idle = (state: VmRecord["power_state"]) =>
      [...pool.store.all<VmRecord>("VM")].filter(
        (vm) => vm.rec.power_state === state && !vm.rec.is_a_template && !vm.rec.is_control_domain && Object.keys(vm.rec.current_operations).length === 0,
      );
    const action = this.rng.weighted([
      ["guest-shutdown", 30],
      ["started-elsewhere", 25],
      ["guest-reboot", 15],
      ["new-address", 10],
      ["alert", 20],
    ] as const);
    switch (action) {
      case "guest-shutdown":
        return this.withOne(idle("Running"), (vm) => markStopped(pool, vm, "Halted"));
      case "started-elsewhere":
        return this.withOne(idle("Halted"), (vm) => markRunning(pool, vm, chooseHost(pool, vm)));
      case "guest-reboot":
        return this.withOne(idle("Running"), (vm) => markRebooted(pool, vm));
      case "new-address":
        return this.withOne(idle("Running"), (vm) => this.renewAddress(pool, vm));
      case "alert":
        return this.alert(pool);
    }
  }

  private withOne(vms: Vm[], fn: (vm: Vm) => void): void {
    if (vms.length > 0) fn(this.rng.pick(vms));
  }

  /** The guest's DHCP lease changes: its guest metrics report a new address. */
  private renewAddress(pool: SimPool, vm: Vm): void {
    const gm = pool.store.getOf<VmGuestMetricsRecord>("VM_guest_metrics", vm.rec.guest_metrics);
    if (!gm) return;
    const networks = guestNetworks(pool, vm);
    for (const key of Object.keys(networks)) {
      networks[key] = networks[key].replace(/\.\d+$/, `.${this.rng.int(2, 254)}`);
    }
    pool.store.update(gm, { networks, last_updated: new Date() });
  }

  /** An alert from the catalogue about a running VM, a live host, a user SR or the pool. */
  private alert(pool: SimPool): void {
    const running = [...pool.store.all<VmRecord>("VM")].filter((vm) => vm.rec.power_state === "Running" && !vm.rec.is_control_domain);
    const hosts = pool.hosts().filter((h) => isHostLive(pool, h.ref));
    const srs = [...pool.store.all<SrRecord>("SR")].filter((sr) => sr.rec.content_type === "user");
    const candidates: Record<AlertTemplate["cls"], StoredObject<{ name_label: string }>[]> = { VM: running, Host: hosts, SR: srs, Pool: [pool.pool] };
    const possible = ALERTS.filter((a) => candidates[a.cls].length > 0);
    if (possible.length === 0) return;
    const alert = this.rng.pick(possible);
    const about = this.rng.pick(candidates[alert.cls]);
    const body = alert.body(this.rng.next(), { name: about.rec.name_label, pool: pool.name, at: new Date() });
    raiseAlert(pool, { name: alert.name, priority: alert.priority, cls: alert.cls, obj_uuid: about.uuid, body });
  }
}
