/**
 * Alerts through XenDeck against the simulator over HTTP: an alert raised on the pool reaches the read model in
 * words, seen only by those who may view its object; admins of the object dismiss it (gone from the pool,
 * audited), others are refused (audited, the alert stays); several at once, each on its own; the navigation's
 * unread count follows what the user marked seen.
 */
import { describe, expect, it } from "vitest";
import { runAction } from "@/lib/actions/define";
import type { CurrentUser } from "@/lib/auth/session-user";
import { getDb } from "@/lib/db/client";
import { eventually } from "@/lib/dev/test/eventually";
import { inventoryEnvironmentForFile } from "@/lib/dev/test/pool-environment";
import { getPoolRegistry } from "@/lib/xapi/registry";
import { ALERT_NOT_FOUND, alertsSeenAt, dismissAlert, dismissAlerts, markAlertsSeen } from "./actions";
import { unreadUrgentAlertCount, visibleAlerts } from "./alerts";

const env = inventoryEnvironmentForFile();

/** Raises an alert about a VM of "lab" and waits until XenDeck's cache has it; returns its uuid. */
async function raise(vmName: string, spec: { name: string; priority?: number; body?: string }): Promise<string> {
  const { sim } = env();
  const vm = sim.inspect.vm(vmName)!;
  const ref = sim.outside.alert("lab", { cls: "VM", obj_uuid: vm.record.uuid as string, ...spec });
  const uuid = sim.inspect.get<{ uuid: string }>("message", ref, "lab")!.record.uuid;
  await eventually(() =>
    getPoolRegistry()
      .all()
      .some((connection) => connection.cache.getByUuid("message", uuid) !== undefined),
  );
  return uuid;
}

const inSim = (uuid: string) =>
  env()
    .sim.inspect.all<{ uuid: string }>("message", "lab")
    .some((message) => message.record.uuid === uuid);
const lastAudit = async () => (await getDb().auditEntry.findFirst({ orderBy: { id: "desc" } }))!;

async function vmUser(name: string, vmName: string, role: "viewer" | "admin"): Promise<CurrentUser> {
  return env().user(name, [{ kind: "vm", uuid: env().sim.inspect.vm(vmName)!.record.uuid as string, role }]);
}

describe("alerts", () => {
  it("reach admins in words, newest first, with their object named and linked", async () => {
    const { admin, pools } = env();
    const uuid = await raise("sql-01", {
      name: "ALARM",
      body: 'value: 0.970000\nconfig:\n<variable>\n\t<name value="cpu_usage"/>\n\t<alarm_trigger_level value="0.9"/>\n</variable>\n',
    });
    const alerts = await visibleAlerts(admin);
    const alert = alerts.find((candidate) => candidate.uuid === uuid)!;
    expect(alert).toMatchObject({
      title: "High CPU usage",
      details: "CPU usage 97% (alarm above 90%)",
      priority: 3,
      priorityLabel: "Warning",
      pool: { id: pools.lab!.id, label: "lab" },
      object: { kind: "vm", name: "sql-01", href: `/vms/${env().sim.inspect.vm("sql-01")!.record.uuid}` },
      canDismiss: true,
    });
    expect(alerts.map((a) => a.time)).toEqual([...alerts.map((a) => a.time)].sort().reverse());
  });

  it("are seen by a viewer of one VM only when about that VM, and about its page alone", async () => {
    const viewer = await vmUser("alert-viewer", "api-01", "viewer");
    const mine = await raise("api-01", { name: "VM_CRASHED", priority: 2 });
    const other = await raise("app-01", { name: "VM_CRASHED", priority: 2 });
    const seen = (await visibleAlerts(viewer)).map((alert) => alert.uuid);
    expect(seen).toContain(mine);
    expect(seen).not.toContain(other);
    expect((await visibleAlerts(viewer)).every((alert) => alert.object.name === "api-01" && !alert.canDismiss)).toBe(true);
    expect((await visibleAlerts(env().admin, { about: env().sim.inspect.vm("api-01")!.record.uuid as string })).map((a) => a.uuid)).toContain(mine);
  });

  it("are dismissed by an admin of their object: gone from the pool, audited", async () => {
    const owner = await vmUser("alert-owner", "app-02", "admin");
    const uuid = await raise("app-02", { name: "VM_CRASHED", priority: 2 });
    const result = await runAction(dismissAlert, { actor: owner, input: { alert: uuid } });
    expect(result).toMatchObject({ ok: true, message: "VM crashed dismissed" });
    expect(inSim(uuid)).toBe(false);
    expect(await visibleAlerts(owner)).not.toContainEqual(expect.objectContaining({ uuid }));
    expect(await lastAudit()).toMatchObject({ actorUsername: "alert-owner", action: "alert.dismiss", objectKind: "alert", objectUuid: uuid, outcome: "ok" });
  });

  it("are not dismissed by a viewer, nor by someone who cannot see them: refused, audited, still there", async () => {
    const viewer = await vmUser("alert-viewer-2", "k8s-node-03", "viewer");
    const mine = await raise("k8s-node-03", { name: "VM_CRASHED", priority: 2 });
    const foreign = await raise("monitoring-01", { name: "VM_CRASHED", priority: 2 });
    expect(await runAction(dismissAlert, { actor: viewer, input: { alert: mine } })).toMatchObject({ ok: false, code: "NOT_ALLOWED" });
    expect(await lastAudit()).toMatchObject({ actorUsername: "alert-viewer-2", action: "alert.dismiss", objectUuid: mine, outcome: "refused" });
    expect(await runAction(dismissAlert, { actor: viewer, input: { alert: foreign } })).toMatchObject({ ok: false, error: ALERT_NOT_FOUND });
    expect(await lastAudit()).toMatchObject({ action: "alert.dismiss", objectUuid: foreign, outcome: "refused" });
    expect(inSim(mine) && inSim(foreign)).toBe(true);
  });

  it("are dismissed several at once, each authorized and audited on its own", async () => {
    const owner = await vmUser("alert-owner-2", "k8s-node-04", "admin");
    const mine = [await raise("k8s-node-04", { name: "VM_CRASHED" }), await raise("k8s-node-04", { name: "ALARM" })];
    const foreign = await raise("sql-01", { name: "VM_CRASHED" });
    const result = await runAction(dismissAlerts, { actor: owner, input: { alerts: [...mine, foreign] } });
    expect(result).toMatchObject({ ok: true, dismissed: 2, message: "2 dismissed, 1 not" });
    expect(mine.map(inSim)).toEqual([false, false]);
    expect(inSim(foreign)).toBe(true);
    const entries = await getDb().auditEntry.findMany({ where: { actorUsername: "alert-owner-2" }, orderBy: { id: "asc" } });
    expect(entries.map((entry) => [entry.objectUuid, entry.outcome])).toEqual([
      [mine[0], "ok"],
      [mine[1], "ok"],
      [foreign, "refused"],
    ]);
  });

  it("count as unread when critical or major and newer than what the user marked seen", async () => {
    const viewer = await vmUser("alert-reader", "sql-01", "viewer");
    const before = await unreadUrgentAlertCount(viewer, await alertsSeenAt(viewer));
    await raise("sql-01", { name: "VM_CRASHED", priority: 1 });
    await raise("sql-01", { name: "ALARM", priority: 3 });
    expect(await unreadUrgentAlertCount(viewer, await alertsSeenAt(viewer))).toBe(before + 1);

    const newest = (await visibleAlerts(viewer))[0]!.time;
    expect(await runAction(markAlertsSeen, { actor: viewer, input: { upTo: newest } })).toMatchObject({ ok: true });
    expect(await unreadUrgentAlertCount(viewer, await alertsSeenAt(viewer))).toBe(0);
    // Forward only: an older time does not bring them back.
    await runAction(markAlertsSeen, { actor: viewer, input: { upTo: "2000-01-01T00:00:00Z" } });
    expect((await alertsSeenAt(viewer))!.toISOString()).toBe(newest);
    // Marking is no event worth auditing.
    expect(await getDb().auditEntry.count({ where: { actorUsername: "alert-reader" } })).toBe(0);
  });
});
