/**
 * Pool registration against simulated pools, plain and over TLS: the connection test, trust on first use of a
 * self-signed certificate, refusals (wrong password, same pool twice, another pool behind an edited URL, not
 * an admin), and the live registry following every change.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { getDb } from "@/lib/db/client";
import { inventoryEnvironmentForFile, waitFor } from "@/lib/dev/test/pool-environment";
import { startSimulator, type Simulator } from "@/lib/dev/xapi-sim/index";
import { getPoolRegistry } from "@/lib/xapi/registry";
import { TLS_CERT, TLS_FINGERPRINT, TLS_KEY } from "@/lib/dev/test/hostile-xapi-server";
import { changePoolEnabled, editPool, pinCertificate, registerPool, testPoolConnection, unregisterPool } from "./registration";

const env = inventoryEnvironmentForFile();

let tlsSim: Simulator;
beforeAll(async () => {
  tlsSim = await startSimulator({ pools: 1, hostsPerPool: 2, vmsPerPool: 3, baseAddress: "127.0.9.1", seed: 7, tls: { key: TLS_KEY, cert: TLS_CERT } });
});
afterAll(() => tlsSim.stop());

const tlsForm = (extra: Record<string, unknown> = {}) => ({
  label: "secure",
  url: tlsSim.pools[0]!.masterUrl,
  username: tlsSim.username,
  password: tlsSim.password,
  ...extra,
});

describe("testing a connection", () => {
  it("a wrong password is refused on the password field", async () => {
    const result = await testPoolConnection(env().admin, tlsForm({ password: "wrong" }));
    expect(result).toEqual({
      ok: false,
      error: "The pool refused the username or password.",
      fieldErrors: { password: ["The pool refused the username or password"] },
    });
  });

  it("an unreachable URL or a bad one is refused on the URL field", async () => {
    const unreachable = await testPoolConnection(env().admin, tlsForm({ url: "http://127.0.0.1:9" }));
    expect(unreachable.ok).toBe(false);
    expect(unreachable.ok === false && unreachable.fieldErrors?.url?.[0]).toBeTruthy();
    const bad = await testPoolConnection(env().admin, tlsForm({ url: "ftp://host" }));
    expect(bad.ok === false && bad.fieldErrors?.url).toEqual(["Give the http:// or https:// URL of a pool member, e.g. https://xcp-host-1"]);
  });

  it("over TLS, shows the presented certificate to pin and what it found, without saving anything", async () => {
    const before = await getDb().pool.count();
    const result = await testPoolConnection(env().admin, tlsForm());
    expect(result).toMatchObject({
      ok: true,
      pool: { poolName: tlsSim.pools[0]!.name, poolUuid: tlsSim.pools[0]!.uuid, hostCount: 2 },
      certificate: { fingerprint: TLS_FINGERPRINT, selfSigned: true, trustedByCa: false },
    });
    expect(await getDb().pool.count()).toBe(before);
  });

  it("is for admins only", async () => {
    const operator = await env().user("not-admin", [{ kind: "pool", uuid: env().pools.lab!.uuid, role: "admin" }]);
    expect(await testPoolConnection(operator, tlsForm())).toEqual({ ok: false, error: "You are not allowed to do this." });
    expect(await registerPool(operator, tlsForm({ fingerprint: TLS_FINGERPRINT }))).toEqual({ ok: false, error: "You are not allowed to do this." });
    expect(await getDb().auditEntry.count({ where: { actorUsername: "not-admin", action: "pools.register", outcome: "refused" } })).toBe(2);
  });
});

describe("registering and administering", () => {
  it("a self-signed pool is registered once its certificate is pinned, connects, and cannot be registered twice", async () => {
    const { admin } = env();
    const unpinned = await registerPool(admin, tlsForm());
    expect(unpinned).toMatchObject({ ok: false, fieldErrors: { fingerprint: ["The server's certificate is not trusted: test the connection and pin it"] } });

    const registered = await registerPool(admin, tlsForm({ fingerprint: TLS_FINGERPRINT.replaceAll(":", "").toLowerCase() }));
    if (!registered.ok) throw new Error(registered.error);
    expect(registered.pool).toMatchObject({ label: "secure", fingerprint: TLS_FINGERPRINT, xapiPoolUuid: tlsSim.pools[0]!.uuid, enabled: true });
    expect(JSON.stringify(registered)).not.toContain(tlsSim.password);
    const connection = getPoolRegistry().get(registered.pool.id);
    expect(connection).toBeDefined();
    await connection!.waitForSync(10_000);
    expect(connection!.poolUuid).toBe(tlsSim.pools[0]!.uuid);

    // The same pool through its other host: recognised by its XAPI uuid.
    const memberUrl = tlsSim.pools[0]!.hosts[1]!.url;
    const twice = await registerPool(admin, tlsForm({ label: "secure-again", url: memberUrl, fingerprint: TLS_FINGERPRINT }));
    expect(twice).toMatchObject({ ok: false, error: "This pool is already registered as “secure”." });

    // A wrong pin is refused and the stored one stays.
    const wrongPin = await pinCertificate(admin, registered.pool.id, "AB".repeat(32));
    expect(wrongPin).toMatchObject({ ok: false, fieldErrors: { fingerprint: ["The server's certificate is not the pinned one"] } });
    expect((await getDb().pool.findUnique({ where: { id: registered.pool.id } }))!.fingerprint).toBe(TLS_FINGERPRINT);

    await unregisterPool(admin, registered.pool.id);
    expect(getPoolRegistry().get(registered.pool.id)).toBeUndefined();
  });

  it("an edited URL must lead to the same pool; a new label needs no reconnection", async () => {
    const { admin, pools, sim } = env();
    const toOtherPool = await editPool(admin, pools.lab!.id, { label: "lab", url: sim.pools[1]!.masterUrl, username: sim.username, password: sim.password });
    expect(toOtherPool).toMatchObject({ ok: false, error: "This URL leads to another pool (“production”): register it as a new pool instead." });

    const connection = getPoolRegistry().get(pools.lab!.id)!;
    const relabelled = await editPool(admin, pools.lab!.id, { label: "laboratory", url: sim.pools[0]!.masterUrl, username: sim.username });
    expect(relabelled.ok).toBe(true);
    expect(getPoolRegistry().get(pools.lab!.id)).toBe(connection);
    expect(connection.config.label).toBe("laboratory");
    await editPool(admin, pools.lab!.id, { label: "lab", url: sim.pools[0]!.masterUrl, username: sim.username });
  });

  it("a disabled pool is disconnected, and connected again once enabled", async () => {
    const { admin, pools } = env();
    expect((await changePoolEnabled(admin, pools.production!.id, false)).ok).toBe(true);
    expect(getPoolRegistry().get(pools.production!.id)).toBeUndefined();
    expect((await changePoolEnabled(admin, pools.production!.id, true)).ok).toBe(true);
    const connection = getPoolRegistry().get(pools.production!.id);
    expect(connection).toBeDefined();
    await connection!.waitForSync(10_000);
    await waitFor(() => connection!.status.state === "connected");
  });
});

describe("the stored password stays bound to its pool", () => {
  /** An HTTP server that records every request body it receives: a stand-in for a host an attacker controls. */
  async function listeningTrap() {
    const { createServer } = await import("node:http");
    const bodies: string[] = [];
    const server = createServer((request, response) => {
      let body = "";
      request.on("data", (chunk) => (body += chunk));
      request.on("end", () => {
        bodies.push(body);
        response.writeHead(500).end();
      });
    });
    await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
    const { port } = server.address() as { port: number };
    return { url: `http://127.0.0.1:${port}`, bodies, close: () => new Promise<void>((resolve) => server.close(() => resolve())) };
  }

  const testsOf = async (poolId: string, since: number) =>
    (
      await getDb().auditEntry.findMany({
        where: { action: { in: ["pool.test_connection", "pool.update"] }, poolId, id: { gt: since } },
        orderBy: { id: "asc" },
      })
    ).map((entry) => [entry.action, entry.actorUsername, entry.outcome, entry.errorCode, JSON.parse(entry.params).url]);

  it("is not sent to a URL outside the pool's hosts, whether testing or editing; a typed password is", async () => {
    const { admin, pools, sim } = env();
    const since = (await getDb().auditEntry.findFirst({ orderBy: { id: "desc" } }))?.id ?? 0;
    const trap = await listeningTrap();
    try {
      const form = { label: "lab", url: trap.url, username: sim.username, poolId: pools.lab!.id };
      expect(await testPoolConnection(admin, form)).toMatchObject({
        ok: false,
        fieldErrors: { password: ["Enter the password: the stored one is only sent to the hosts of this pool."] },
      });
      expect(await editPool(admin, pools.lab!.id, form)).toMatchObject({ ok: false, fieldErrors: { password: [expect.any(String)] } });
      expect(trap.bodies).toEqual([]);

      // Typed again, the password goes where the admin says: that is their call.
      expect((await testPoolConnection(admin, { ...form, password: "typed-by-the-admin" })).ok).toBe(false);
      expect(trap.bodies.join("")).toContain("typed-by-the-admin");
      expect(trap.bodies.join("")).not.toContain(sim.password);
    } finally {
      await trap.close();
    }
    expect(await testsOf(pools.lab!.id, since)).toEqual([
      ["pool.test_connection", "admin", "refused", "PASSWORD_NOT_FOR_THIS_HOST", trap.url],
      ["pool.update", "admin", "refused", "PASSWORD_NOT_FOR_THIS_HOST", trap.url],
      ["pool.test_connection", "admin", "error", expect.any(String), trap.url],
    ]);
    expect(JSON.stringify(await getDb().auditEntry.findMany())).not.toMatch(/typed-by-the-admin/);
  });

  it("is used for the pool's other members, as XAPI reported them, and every test is audited", async () => {
    const { admin, pools, sim } = env();
    const connection = getPoolRegistry().get(pools.production!.id)!;
    await connection.waitForSync(10_000);
    const member = sim.pools[1]!.hosts[1]!;
    expect(connection.cache.list("host").map((host) => host.address)).toContain(new URL(member.url).hostname);

    const result = await testPoolConnection(admin, { url: member.url, username: sim.username, poolId: pools.production!.id });
    expect(result).toMatchObject({ ok: true, pool: { poolUuid: sim.pools[1]!.uuid } });
    expect((await testsOf(pools.production!.id, 0)).at(-1)).toEqual(["pool.test_connection", "admin", "ok", null, member.url]);
    const entry = await getDb().auditEntry.findFirstOrThrow({
      where: { action: "pool.test_connection", poolId: pools.production!.id },
      orderBy: { id: "desc" },
    });
    expect(JSON.parse(entry.params)).toEqual({ url: member.url, username: sim.username, usesRegisteredLogin: true });
    expect(entry).toMatchObject({ objectUuid: sim.pools[1]!.uuid, objectLabel: "production" });
  });
});
