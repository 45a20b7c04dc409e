/**
 * The read models against the simulator through the real XAPI client and registry: what each user sees
 * (ACL-filtered lists, counts and detail pages, 404-equivalent for the rest), the memoised VM rows, and a
 * disconnected pool's objects kept as stale.
 */
import { describe, expect, it } from "vitest";
import { dashboardSummary } from "./dashboard";
import { hostDetail, visibleHosts } from "./hosts";
import { poolDetail, visiblePools } from "./pools";
import { eventually } from "@/lib/dev/test/eventually";
import { inventoryEnvironmentForFile } from "@/lib/dev/test/pool-environment";
import { bulkOperationsFor, NOT_PERMITTED_REASON, vmDetail, visibleVmRows } from "./vms";
import { VM_OPERATION_IDS } from "@/lib/vm/operations";

const env = inventoryEnvironmentForFile();

const sorted = (values: string[]) => [...values].sort();

describe("what each user sees", () => {
  it("an admin sees every ordinary VM of every pool, and no template, snapshot or control domain", async () => {
    const { admin, vms } = env();
    const rows = await visibleVmRows(admin);
    expect(sorted(rows.map((row) => row.uuid))).toEqual(sorted([...vms("lab"), ...vms("production")].map((vm) => vm.uuid)));
    expect(rows.every((row) => !row.stale)).toBe(true);
    const web = rows.find((row) => row.uuid === vms("lab")[0]!.uuid)!;
    expect(web.poolLabel).toBe("lab");
    expect(web.poolId).toBe(env().pools.lab!.id);
  });

  it("a pool ACL shows the whole pool; a VM ACL that VM only; no ACL nothing", async () => {
    const { pools, vms, user } = env();
    const poolViewer = await user("pool-viewer", [{ kind: "pool", uuid: pools.production!.uuid, role: "viewer" }]);
    const target = vms("lab")[1]!;
    const vmViewer = await user("vm-viewer", [{ kind: "vm", uuid: target.uuid, role: "viewer" }]);
    const nobody = await user("nobody");

    expect(sorted((await visibleVmRows(poolViewer)).map((row) => row.uuid))).toEqual(sorted(vms("production").map((vm) => vm.uuid)));
    expect((await visibleVmRows(vmViewer)).map((row) => row.uuid)).toEqual([target.uuid]);
    expect(await visibleVmRows(nobody)).toEqual([]);

    // Hosts, pools and the dashboard follow the same rules.
    expect(new Set((await visibleHosts(poolViewer)).map((host) => host.poolLabel))).toEqual(new Set(["production"]));
    expect(await visibleHosts(vmViewer)).toEqual([]);
    expect((await visiblePools(poolViewer)).map((pool) => pool.label)).toEqual(["production"]);
    expect(await visiblePools(vmViewer)).toEqual([]);
    const summary = await dashboardSummary(vmViewer);
    expect(summary.vmCount).toBe(1);
    expect(summary.hostCount).toBe(0);
    expect(summary.pools.map((pool) => [pool.label, pool.viewable])).toEqual([["lab", false]]);
    expect((await dashboardSummary(nobody)).pools).toEqual([]);
  });

  it("detail pages answer null (the pages' 404) for unknown, invisible, template and snapshot objects", async () => {
    const { admin, pools, vms, user, sim } = env();
    const viewer = await user("detail-viewer", [{ kind: "pool", uuid: pools.lab!.uuid, role: "viewer" }]);
    const labVm = vms("lab")[0]!;
    const productionVm = vms("production")[0]!;
    expect(await vmDetail(viewer, labVm.uuid)).not.toBeNull();
    expect(await vmDetail(viewer, productionVm.uuid)).toBeNull();
    expect(await vmDetail(viewer, "no-such-uuid")).toBeNull();
    const template = sim.inspect.all<{ uuid: string; is_a_template: boolean }>("VM", 0).find(({ record }) => record.is_a_template)!;
    expect(await vmDetail(admin, template.record.uuid)).toBeNull();
    const snapshot = sim.inspect.all<{ uuid: string; is_a_snapshot: boolean }>("VM").find(({ record }) => record.is_a_snapshot);
    expect(snapshot).toBeDefined();
    expect(await vmDetail(admin, snapshot!.record.uuid)).toBeNull();
    const productionHost = sim.pools[1]!.hosts[0]!;
    expect(await hostDetail(viewer, productionHost.uuid)).toBeNull();
    expect(await hostDetail(admin, productionHost.uuid)).not.toBeNull();
    expect(await poolDetail(viewer, pools.production!.id)).toBeNull();
    expect((await poolDetail(viewer, pools.lab!.id))?.canManage).toBe(false);
    expect((await poolDetail(admin, pools.lab!.id))?.canManage).toBe(true);
  });
});

describe("the VM page", () => {
  it("has disks with sizes and SRs, interfaces with networks and MACs, and XAPI's allowed operations", async () => {
    const { admin, vms, sim } = env();
    const running = vms("lab").find((vm) => vm.powerState === "Running")!;
    const detail = (await vmDetail(admin, running.uuid))!;
    const record = sim.inspect.vm(running.uuid)!.record;
    expect(detail.name).toBe(record.name_label);
    expect(detail.host?.name).toBe(sim.inspect.get<{ name_label: string }>("host", record.resident_on)!.record.name_label);
    const disks = detail.disks.filter((disk) => disk.type === "Disk");
    expect(disks.length).toBeGreaterThan(0);
    expect(disks.every((disk) => disk.vdi!.virtualSize > 0 && disk.sr !== null)).toBe(true);
    expect(detail.interfaces.length).toBe(record.VIFs.length);
    expect(detail.interfaces[0]!.mac).toMatch(/^[0-9a-f]{2}(:[0-9a-f]{2}){5}$/);
    expect(detail.interfaces[0]!.network?.name).toBeTruthy();
    expect(detail.allowedOperations).toEqual([...record.allowed_operations].sort());
    expect(detail.ips.length).toBeGreaterThan(0);

    const snapshot = sim.inspect.all<{ uuid: string; is_a_snapshot: boolean; snapshot_of: string }>("VM").find(({ record }) => record.is_a_snapshot)!;
    const parent = sim.inspect.get<{ uuid: string }>("VM", snapshot.record.snapshot_of)!;
    expect((await vmDetail(admin, parent.record.uuid))!.snapshots.map((s) => s.uuid)).toContain(snapshot.record.uuid);
  });

  it("offers only the operations the user may perform, disabled with XAPI's reason when the state forbids them", async () => {
    const { pools, vms, user } = env();
    const running = vms("lab").find((vm) => vm.powerState === "Running")!;
    const viewer = await user("ops-viewer", [{ kind: "pool", uuid: pools.lab!.uuid, role: "viewer" }]);
    const operator = await user("ops-operator", [{ kind: "vm", uuid: running.uuid, role: "operator" }]);
    expect((await vmDetail(viewer, running.uuid))!.operations).toEqual([]);
    const operations = (await vmDetail(operator, running.uuid))!.operations;
    expect(operations.map((operation) => operation.id)).toEqual([...VM_OPERATION_IDS]); // an operator is offered every one
    const byId = Object.fromEntries(operations.map((operation) => [operation.id, operation]));
    expect(byId.start!.unavailableReason).toBe("The VM is running; only a halted VM can be started");
    expect(byId.clean_shutdown!.unavailableReason).toBeNull();
    expect(byId.hard_shutdown!.confirm).toBe(true);
    // "Start on" needs host.view: a VM-only operator may choose no host.
    expect((await vmDetail(operator, running.uuid))!.startOnHosts).toEqual([]);
  });
});

describe("the VM list's bulk operations", () => {
  it("offer what the user may do on the page's VMs, ready where XAPI accepts it now, and follow state changes", async () => {
    const { admin, pools, vms, user, sim, catchUp } = env();
    const lab = vms("lab");
    const running = lab.find((vm) => vm.powerState === "Running")!;
    const halted = lab.find((vm) => vm.powerState === "Halted")!;
    const rows = (await visibleVmRows(admin)).filter((row) => row.uuid === running.uuid || row.uuid === halted.uuid);
    const operator = await user("bulk-operator", [{ kind: "vm", uuid: running.uuid, role: "operator" }]);
    const viewer = await user("bulk-viewer", [{ kind: "pool", uuid: pools.lab!.uuid, role: "viewer" }]);

    // The same verdicts as the VM page's, restricted to what the list offers (no "start on").
    const expected = async (who: typeof admin, uuid: string) =>
      ((await vmDetail(who, uuid))?.operations ?? []).filter((op) => op.id !== "start_on" && op.unavailableReason === null).map((op) => op.id);
    const forAdmin = await bulkOperationsFor(admin, rows);
    expect(forAdmin.offered).not.toContain("start_on");
    expect(forAdmin.ready[running.uuid]).toEqual(await expected(admin, running.uuid));
    expect(forAdmin.ready[halted.uuid]).toEqual(await expected(admin, halted.uuid));
    expect(forAdmin.ready[running.uuid]).toContain("clean_shutdown");
    expect(forAdmin.ready[halted.uuid]).toEqual(["start"]);

    // What is not ready says why: XAPI's reason, the same as the VM page's disabled button.
    const reasonOf = (operations: Awaited<ReturnType<typeof bulkOperationsFor>>, uuid: string, id: "start" | "clean_shutdown") =>
      operations.reasons[operations.blocked[uuid]![id]!];
    expect(reasonOf(forAdmin, running.uuid, "start")).toBe("The VM is running; only a halted VM can be started");
    expect(reasonOf(forAdmin, halted.uuid, "clean_shutdown")).toBe("The VM is halted; only a running VM can be shut down");
    expect(forAdmin.blocked[running.uuid]!.clean_shutdown).toBeUndefined();

    const forOperator = await bulkOperationsFor(operator, rows);
    expect(forOperator.ready[running.uuid]).toEqual(await expected(operator, running.uuid));
    expect(forOperator.ready[halted.uuid]).toEqual([]);
    // The halted VM is outside the operator's ACL (a VM ACL on the other one): skipped because of the role.
    expect(reasonOf(forOperator, halted.uuid, "start")).toBe(NOT_PERMITTED_REASON);
    expect(await bulkOperationsFor(viewer, rows)).toEqual({
      offered: [],
      ready: { [running.uuid]: [], [halted.uuid]: [] },
      blocked: { [running.uuid]: {}, [halted.uuid]: {} },
      reasons: [],
      vms: {
        [running.uuid]: { name: running.name, powerState: "Running" },
        [halted.uuid]: { name: halted.name, powerState: "Halted" },
      },
    });

    sim.outside.vm(running.uuid, { power_state: "Halted" });
    await catchUp();
    try {
      expect((await bulkOperationsFor(admin, rows)).ready[running.uuid]).toEqual(["start"]);
    } finally {
      sim.outside.vm(running.uuid, { power_state: "Running" });
      await catchUp();
    }
  });
});

describe("live cache", () => {
  it("rebuilds only the rows of VMs that changed", async () => {
    const { admin, vms, sim, catchUp } = env();
    const before = await visibleVmRows(admin);
    // Nothing changed: the very same row objects (their memoised search keys stay valid).
    const again = await visibleVmRows(admin);
    again.forEach((row, index) => expect(row).toBe(before[index]));
    const target = vms("production").find((vm) => vm.powerState === "Running")!;
    sim.outside.vm(target.uuid, { power_state: "Halted" });
    await catchUp();
    const after = await visibleVmRows(admin);
    const changed = after.find((row) => row.uuid === target.uuid)!;
    expect(changed.powerState).toBe("Halted");
    expect(changed).not.toBe(before.find((row) => row.uuid === target.uuid));
    const untouched = before.filter((row) => row.uuid !== target.uuid && row.poolLabel === "lab");
    for (const row of untouched) expect(after).toContain(row);
    sim.outside.vm(target.uuid, { power_state: "Running" });
    await catchUp();
  });

  it("keeps a disconnected pool's objects, marked stale, and lists it among the pools in trouble", async () => {
    const { admin, sim } = env();
    const production = sim.pools[1]!;
    const count = (await visibleVmRows(admin)).filter((row) => row.poolLabel === "production").length;
    try {
      for (const host of production.hosts) await sim.faults.setHostState(host.address, "refuse");
      await eventually(async () => (await dashboardSummary(admin)).troubledPools.some((pool) => pool.label === "production"));
      const rows = (await visibleVmRows(admin)).filter((row) => row.poolLabel === "production");
      expect(rows).toHaveLength(count);
      expect(rows.every((row) => row.stale)).toBe(true);
      const troubled = (await dashboardSummary(admin)).troubledPools.find((pool) => pool.label === "production")!;
      expect(["reconnecting", "error"]).toContain(troubled.status.state);
      expect(troubled.status.since).not.toBeNull();
      expect((await visibleVmRows(admin)).filter((row) => row.poolLabel === "lab").every((row) => !row.stale)).toBe(true);
    } finally {
      await sim.faults.reset();
    }
    await eventually(async () => (await dashboardSummary(admin)).troubledPools.length === 0);
    expect((await visibleVmRows(admin)).every((row) => !row.stale)).toBe(true);
  });
});
