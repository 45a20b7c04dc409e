/**
 * Certificate pinning over real TLS with the committed self-signed test certificate (lib/dev/test/):
 * pinned fingerprint accepted, another refused, no pin refused; a refused host never sees a request.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startSimulator, type Simulator } from "@/lib/dev/xapi-sim";
import { TEST_TLS, TEST_TLS_FINGERPRINT, TEST_TLS_MEMBER, TEST_TLS_MEMBER_FINGERPRINT } from "@/lib/dev/test/tls";
import { fetchCertificate } from "./certificate";
import { XapiClient, type XapiLogger } from "./client";
import { PoolConnection } from "./connection";
import { CLIENT_CODES, XapiCertificateError } from "./errors";
import { TLS_CERT, TLS_FINGERPRINT, TLS_KEY, startHostileServer, success, xml, type HostileServer } from "@/lib/dev/test/hostile-xapi-server";

const quiet = { debug() {}, info() {}, warn() {}, error() {} };
const OTHER_FINGERPRINT = "AA:".repeat(31) + "AA";

let server: HostileServer;
beforeAll(async () => {
  server = await startHostileServer({ tls: true });
  server.on("pool.get_all", xml(success("<array><data><value>OpaqueRef:pool</value></data></array>")));
});
afterAll(() => server.close());

async function callWith(fingerprint: string | null) {
  const client = new XapiClient({ url: server.url, username: "root", password: "secret-password", fingerprint, logger: quiet });
  try {
    return await client.call("pool.get_all");
  } finally {
    await client.close();
  }
}

describe("TLS certificate pinning", () => {
  it("fetches the certificate for trust on first use", async () => {
    const info = await fetchCertificate(server.url);
    expect(info.fingerprint256).toBe(TLS_FINGERPRINT);
    expect(info.subject).toContain("CN=xendeck-test-host");
    expect(info.selfSigned).toBe(true);
    expect(info.trustedByCa).toBe(false);
    expect(info.verificationError).toMatch(/self[- ]signed/i);
    expect(info.validTo.getUTCFullYear()).toBeGreaterThan(2100);
    await expect(fetchCertificate("http://127.0.0.1:1/")).rejects.toThrow(/https/);
  });

  it("accepts the pinned certificate (in any spelling)", async () => {
    await expect(callWith(TLS_FINGERPRINT)).resolves.toEqual(["OpaqueRef:pool"]);
    await expect(callWith(TLS_FINGERPRINT.replace(/:/g, "").toLowerCase())).resolves.toEqual(["OpaqueRef:pool"]);
  });

  it("refuses another certificate before sending anything", async () => {
    server.calls.length = 0;
    const error = await callWith(OTHER_FINGERPRINT).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(XapiCertificateError);
    expect(error).toMatchObject({ code: CLIENT_CODES.certificateMismatch, presented: TLS_FINGERPRINT });
    expect((error as Error).message).toContain(TLS_FINGERPRINT);
    expect(server.calls).toEqual([]); // not even the login: the password never left
  });

  it("refuses an unverifiable certificate when nothing is pinned", async () => {
    server.calls.length = 0;
    const error = await callWith(null).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(XapiCertificateError);
    expect(error).toMatchObject({ code: CLIENT_CODES.certificateUntrusted, presented: TLS_FINGERPRINT });
    expect((error as Error).message).toMatch(/pin its SHA-256 fingerprint/);
    expect(server.calls).toEqual([]);
  });

  it("refuses a malformed pin at construction", () => {
    expect(() => new XapiClient({ url: server.url, username: "u", password: "p", fingerprint: "12:34" })).toThrow(/SHA-256/);
  });
});

describe("TLS pinning with the simulator over HTTPS", () => {
  let sim: Simulator;
  beforeAll(async () => {
    sim = await startSimulator({ pools: 1, hostsPerPool: 2, vmsPerPool: 3, tls: { key: TLS_KEY, cert: TLS_CERT } });
  });
  afterAll(() => sim.stop());

  const connect = (fingerprint: string | null, logger: XapiLogger = quiet) => {
    const connection = new PoolConnection(
      { id: "tls", label: "tls pool", url: sim.pools[0].masterUrl, username: sim.username, password: sim.password, fingerprint, readOnly: false },
      { logger, backoff: { baseMs: 20, maxMs: 100 } },
    );
    return connection.start();
  };

  it("syncs a pool whose pinned certificate matches", async () => {
    expect(sim.pools[0].masterUrl).toMatch(/^https:/);
    const connection = connect(TLS_FINGERPRINT);
    try {
      await connection.waitForSync(10_000);
      expect(connection.cache.count("VM")).toBe(sim.inspect.all("VM", 0).length);
    } finally {
      await connection.stop();
    }
  });

  it.each([
    ["another pinned certificate", OTHER_FINGERPRINT, CLIENT_CODES.certificateMismatch],
    ["no pin (self-signed certificate)", null, CLIENT_CODES.certificateUntrusted],
  ])("stops with a clear error for %s, sending nothing", async (_label, fingerprint, code) => {
    sim.inspect.clearCallLog();
    const logged: string[] = [];
    const record = (level: string) => (message: string) => void logged.push(`${level} ${message}`);
    const connection = connect(fingerprint, { ...quiet, warn: record("warn"), error: record("error") });
    try {
      await expect.poll(() => connection.status.state, { timeout: 10_000 }).toBe("error");
      expect(connection.status.error?.code).toBe(code);
      expect(connection.status.error?.message).toContain(TLS_FINGERPRINT);
      // Stopped, no retry until the pin changes: the loop said so as it ended, and never planned a retry.
      await expect.poll(() => logged.some((line) => line.startsWith("error") && line.includes("stopped:"))).toBe(true);
      expect(logged.filter((line) => line.includes("retrying"))).toEqual([]);
      expect(connection.status.state).toBe("error");
      expect(sim.inspect.callLog()).toEqual([]);
      expect(connection.cache.count("VM")).toBe(0);
    } finally {
      await connection.stop();
    }
  });
});

describe("master failover under pinning (members with certificates of their own)", () => {
  let sim: Simulator;
  beforeAll(async () => {
    // Pool 1: the master serves TEST_TLS, both members TEST_TLS_MEMBER (a real pool: one self-signed
    // certificate per host). The admin pinned the master's.
    sim = await startSimulator({
      pools: 1,
      hostsPerPool: 3,
      vmsPerPool: 3,
      tls: { ...TEST_TLS, hosts: { "127.0.1.2": TEST_TLS_MEMBER, "127.0.1.3": TEST_TLS_MEMBER } },
    });
  });
  afterAll(() => sim.stop());

  const pinnedClient = () =>
    new XapiClient({
      url: sim.pools[0].masterUrl,
      username: sim.username,
      password: sim.password,
      fingerprint: TEST_TLS_FINGERPRINT,
      logger: quiet,
      connectTimeoutMs: 1_000,
    });

  it("moves to the new master, whose certificate it learnt from the old one", async () => {
    const [oldMaster, newMaster] = sim.pools[0].hosts;
    const client = pinnedClient();
    try {
      await expect(client.call("pool.get_all")).resolves.toEqual([sim.pools[0].ref]);
      await sim.faults.failover(0, newMaster.ref);
      await sim.faults.setHostState(oldMaster.ref, "refuse"); // and the old master goes away
      await expect(client.call("pool.get_all")).resolves.toEqual([sim.pools[0].ref]);
      expect(client.masterUrl.origin).toBe(newMaster.url);
    } finally {
      await client.close();
      await sim.faults.reset();
      await sim.faults.failover(0, oldMaster.ref);
    }
  });

  it("stops with the certificate error when the new master's certificate could not be learnt", async () => {
    const [oldMaster, newMaster] = sim.pools[0].hosts;
    sim.faults.failNext({ method: "host.get_server_certificate", error: ["INTERNAL_ERROR", "no certificate"], count: 10 });
    const client = pinnedClient();
    const connection = new PoolConnection(
      {
        id: "pinned",
        label: "pinned pool",
        url: sim.pools[0].masterUrl,
        username: sim.username,
        password: sim.password,
        fingerprint: TEST_TLS_FINGERPRINT,
        readOnly: false,
      },
      { logger: quiet, backoff: { baseMs: 20, maxMs: 100 }, eventTimeoutS: 1, client: { connectTimeoutMs: 1_000 } },
    );
    try {
      await client.call("pool.get_all");
      await connection.start().waitForSync(10_000);
      await sim.faults.failover(0, newMaster.ref);
      const error = await client.call("pool.get_all").catch((e: unknown) => e);
      expect(error).toBeInstanceOf(XapiCertificateError);
      expect(error).toMatchObject({ code: CLIENT_CODES.certificateMismatch, presented: TEST_TLS_MEMBER_FINGERPRINT });
      expect(client.masterUrl.origin).toBe(oldMaster.url); // no master found
      // The live connection shows why, and waits for a new pin instead of retrying forever.
      await expect.poll(() => connection.status.state, { timeout: 10_000 }).toBe("error");
      expect(connection.status.error).toMatchObject({ code: CLIENT_CODES.certificateMismatch, message: expect.stringContaining(TEST_TLS_MEMBER_FINGERPRINT) });
    } finally {
      await Promise.all([client.close(), connection.stop()]);
      await sim.faults.reset();
      await sim.faults.failover(0, oldMaster.ref);
    }
  });
});
