/**
 * Where a VM can move (issue 17 #4), through XenDeck against the simulator over HTTP: the pool is asked for every
 * other host the admin may view; hosts that cannot run the VM come with the pool's reason in words, naming the SR
 * its disk is on ("Local storage on xcp-lab-03"); a migration forced onto such a host fails naming it too.
 */
import { describe, expect, it } from "vitest";
import { runAction } from "@/lib/actions/define";
import { inventoryEnvironmentForFile } from "@/lib/dev/test/pool-environment";
import { getDb } from "@/lib/db/client";
import type { HostRecord } from "@/lib/xapi/model/records.generated";
import { getPoolRegistry } from "@/lib/xapi/registry";
import { vmManagement } from "./management-actions";
import { vmPlacement } from "./placement";
import { VM_NOT_FOUND } from "./locate";

// api-01 runs on xcp-lab-03 with its disk on that host's local storage (seed 1).
const env = inventoryEnvironmentForFile({ hostsPerPool: 3, vmsPerPool: 12 });

const host = (name: string) => env().sim.inspect.get<HostRecord>("host", name, "lab")!;
const vmUuid = (name: string) => env().sim.inspect.vm(name)!.record.uuid as string;

describe("the migrate dialog's hosts", () => {
  it("greys the hosts that cannot reach the VM's local disk, naming the SR and its host", async () => {
    const result = await runAction(vmPlacement, { actor: env().admin, input: { vm: vmUuid("api-01") } });
    const reason = "The VM “api-01” needs the storage “Local storage on xcp-lab-03”, which the host cannot reach";
    expect(result).toEqual({
      ok: true,
      hosts: [
        { uuid: host("xcp-lab-01").record.uuid, name: "xcp-lab-01", unavailableReason: reason },
        { uuid: host("xcp-lab-02").record.uuid, name: "xcp-lab-02", unavailableReason: reason },
      ],
    });
    const refused = await runAction(vmManagement, {
      actor: env().admin,
      input: { operation: "migrate", vm: vmUuid("api-01"), host: host("xcp-lab-01").record.uuid },
    });
    expect(refused).toMatchObject({ ok: false, error: reason });
  });

  it("offers the hosts that can run it, greys a disabled one, and lists only hosts the user may view", async () => {
    const { user, pools } = env();
    const disabled = host("xcp-lab-02");
    const vm = vmUuid("dns-01");
    const client = getPoolRegistry().get(pools.lab!.id)!.client;
    await client.call("host.disable", disabled.ref);
    try {
      const result = await runAction(vmPlacement, { actor: env().admin, input: { vm } });
      expect(result.ok && result.hosts.map((candidate) => [candidate.name, candidate.unavailableReason])).toEqual([
        ["xcp-lab-02", "The host is disabled (maintenance mode); enable it first"],
        ["xcp-lab-03", null],
      ]);
      const owner = await user("placement-owner", [
        { kind: "vm", uuid: vm, role: "admin" },
        { kind: "host", uuid: host("xcp-lab-03").record.uuid, role: "viewer" },
      ]);
      const own = await runAction(vmPlacement, { actor: owner, input: { vm } });
      expect(own.ok && own.hosts.map((candidate) => candidate.name)).toEqual(["xcp-lab-03"]);
    } finally {
      await client.call("host.enable", disabled.ref);
    }
  });

  it("is asked only by those who may migrate the VM (refusals audited)", async () => {
    const operator = await env().user("placement-operator", [{ kind: "vm", uuid: vmUuid("db-01"), role: "operator" }]);
    expect(await runAction(vmPlacement, { actor: operator, input: { vm: vmUuid("db-01") } })).toMatchObject({ ok: false, code: "NOT_ALLOWED" });
    expect(await getDb().auditEntry.findFirst({ orderBy: { id: "desc" } })).toMatchObject({
      actorUsername: "placement-operator",
      action: "vm.migrate",
      objectUuid: vmUuid("db-01"),
      outcome: "refused",
    });
    expect(await runAction(vmPlacement, { actor: operator, input: { vm: vmUuid("dns-01") } })).toMatchObject({ ok: false, error: VM_NOT_FOUND });
  });
});
