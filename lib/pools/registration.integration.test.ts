/**
 * Pool registration against simulated pools, plain and over TLS: the connection test, trust on first use of a
 * self-signed certificate, refusals (wrong password, same pool twice, another pool behind an edited URL, not
 * an admin), and the live registry following every change.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { getDb } from "@/lib/db/client";
import { eventually } from "@/lib/dev/test/eventually";
import { inventoryEnvironmentForFile } from "@/lib/dev/test/pool-environment";
import { startSimulator, type Simulator } from "@/lib/dev/xapi-sim/index";
import { getPoolRegistry } from "@/lib/xapi/registry";
import { TLS_CERT, TLS_FINGERPRINT, TLS_KEY } from "@/lib/dev/test/hostile-xapi-server";
import { runAction, type ServerAction } from "@/lib/actions/define";
import type { CurrentUser } from "@/lib/auth/session-user";
import * as actions from "./actions";

const env = inventoryEnvironmentForFile();

/** The pool actions, called as `actor` (what the browser would send, as a plain object). */
const as =
  <In, Out extends object>(action: ServerAction<In, Out>) =>
  (actor: CurrentUser, input: Record<string, unknown>) =>
    runAction(action, { actor, input: input as In });
const testPoolConnection = as(actions.testPoolConnection);
const registerPool = as(actions.registerPool);
const editPool = (actor: CurrentUser, poolId: string, input: Record<string, unknown>) => as(actions.editPool)(actor, { poolId, ...input });
const pinCertificate = (actor: CurrentUser, poolId: string, fingerprint: string) => as(actions.pinCertificate)(actor, { poolId, fingerprint });
const changePoolEnabled = (actor: CurrentUser, poolId: string, enabled: boolean) => as(actions.changePoolEnabled)(actor, { poolId, enabled });
const unregisterPool = (actor: CurrentUser, poolId: string) => as(actions.unregisterPool)(actor, { poolId });

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
    expect(result).toMatchObject({
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
    expect(await testPoolConnection(operator, tlsForm())).toMatchObject({ ok: false, error: "You are not allowed to do this." });
    expect(await registerPool(operator, tlsForm({ fingerprint: TLS_FINGERPRINT }))).toMatchObject({ ok: false, error: "You are not allowed to do this." });
    expect(await getDb().auditEntry.count({ where: { actorUsername: "not-admin", action: "pools.register", outcome: "refused" } })).toBe(2);
  });
});

describe("registering and administering", () => {
  it("a self-signed pool is registered once its certificate is pinned, connects, and cannot be registered twice", async () => {
    const { admin } = env();
    const unpinned = await registerPool(admin, tlsForm());
    expect(unpinned).toMatchObject({ ok: false, fieldErrors: { fingerprint: ["The server's certificate is not trusted: test the connection and pin it"] } });

    const answer = await registerPool(admin, tlsForm({ fingerprint: TLS_FINGERPRINT.replaceAll(":", "").toLowerCase() }));
    if (!answer.ok) throw new Error(answer.error);
    expect(JSON.stringify(answer)).not.toContain(tlsSim.password);
    const registered = { pool: await getDb().pool.findUniqueOrThrow({ where: { id: answer.poolId } }) };
    expect(registered.pool).toMatchObject({ label: "secure", fingerprint: TLS_FINGERPRINT, xapiPoolUuid: tlsSim.pools[0]!.uuid, enabled: true });
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
    await eventually(() => connection!.status.state === "connected");
  });
});

describe("a stored password stays with its pool (issue 11)", () => {
  /** Counts the logins a listening server receives (a server an attacker would point a registration at). */
  async function catcher() {
    const { createServer } = await import("node:http");
    const bodies: string[] = [];
    const server = createServer((req, res) => {
      let body = "";
      req.on("data", (chunk: Buffer) => (body += chunk.toString()));
      req.on("end", () => {
        bodies.push(body);
        res.writeHead(500).end();
      });
    });
    await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
    const port = (server.address() as { port: number }).port;
    return { url: `http://127.0.0.1:${port}`, bodies, close: () => new Promise((resolve) => server.close(resolve)) };
  }

  it("is not sent to an address outside the pool's hosts, by a test or an edit, and the test is audited", async () => {
    const { admin, pools, sim } = env();
    const attacker = await catcher();
    try {
      const test = await testPoolConnection(admin, { url: attacker.url, username: "root", poolId: pools.lab!.id });
      expect(test).toMatchObject({ ok: false, code: "PASSWORD_REQUIRED", fieldErrors: { password: [actions.PASSWORD_FOR_NEW_ADDRESS] } });
      const edit = await editPool(admin, pools.lab!.id, { label: "lab", url: attacker.url, username: "root" });
      expect(edit).toMatchObject({ ok: false, code: "PASSWORD_REQUIRED" });
      expect(attacker.bodies).toEqual([]);
      expect((await getDb().pool.findUniqueOrThrow({ where: { id: pools.lab!.id } })).url).toBe(sim.pools[0]!.masterUrl);

      const audited = await getDb().auditEntry.findFirstOrThrow({ where: { action: "pool.test-connection" }, orderBy: { id: "desc" } });
      expect(audited).toMatchObject({ actorUsername: admin.username, outcome: "error", errorCode: "PASSWORD_REQUIRED", poolId: pools.lab!.id });
      expect(JSON.parse(audited.params)).toEqual({ operation: "test", url: attacker.url });
      expect(JSON.stringify(audited)).not.toContain(sim.password);
    } finally {
      await attacker.close();
    }
  });

  it("is used for the pool's own members, and every test is audited with its outcome", async () => {
    const { admin, pools, sim } = env();
    const member = sim.pools[0]!.hosts[1]!.url;
    const result = await testPoolConnection(admin, { url: member, username: sim.username, poolId: pools.lab!.id });
    expect(result).toMatchObject({ ok: true, pool: { poolUuid: sim.pools[0]!.uuid } });
    const audited = await getDb().auditEntry.findFirstOrThrow({ where: { action: "pool.test-connection" }, orderBy: { id: "desc" } });
    expect(audited).toMatchObject({ outcome: "ok", poolId: pools.lab!.id });
    expect(JSON.parse(audited.params)).toEqual({ operation: "test", url: member });
  });

  it("warns at once that a tested pool is already registered", async () => {
    const { admin, sim } = env();
    const result = await testPoolConnection(admin, { url: sim.pools[1]!.masterUrl, username: sim.username, password: sim.password });
    expect(result).toMatchObject({ ok: true, alreadyRegistered: "production" });
  });
});
