import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { hasDrawing, rfbSession } from "@/lib/dev/test/console-clients";
import { TEST_TLS, TEST_TLS_FINGERPRINT, TEST_TLS_MEMBER } from "@/lib/dev/test/tls";
import { startSimulator, type Simulator } from "@/lib/dev/xapi-sim/index";
import { PoolConnection } from "@/lib/xapi/connection";
import { consoleEndpoint } from "./locate";
import { checkedLocation, ConsoleUpstreamError, openUpstream } from "./upstream";

const quiet = { debug() {}, info() {}, warn() {}, error() {} };
let sim: Simulator;
const MEMBER = "127.0.1.2";

beforeAll(async () => {
  // A real pool: every host has its own self-signed certificate; the admin pinned the master's.
  sim = await startSimulator({ pools: 1, hostsPerPool: 2, vmsPerPool: 12, speed: 0.02, tls: { ...TEST_TLS, hosts: { [MEMBER]: TEST_TLS_MEMBER } } });
});
afterAll(() => sim.stop());

function pinnedConnection(id: string): PoolConnection {
  return new PoolConnection(
    { id, label: id, url: sim.pools[0]!.masterUrl, username: sim.username, password: sim.password, fingerprint: TEST_TLS_FINGERPRINT, readOnly: false },
    { logger: quiet, eventTimeoutS: 1, backoff: { baseMs: 20, maxMs: 100 }, client: { connectTimeoutMs: 1_000 } },
  );
}

/** A running VM on the member host, and its console's endpoint as the cache knows it. */
function memberConsole(connection: PoolConnection) {
  const member = connection.cache.list("host").find((host) => host.address === MEMBER)!;
  const vm = connection.cache
    .list("VM")
    .find((candidate) => candidate.resident_on === member.$ref && !candidate.is_control_domain && candidate.power_state === "Running")!;
  return consoleEndpoint(connection, vm, "rfb")!;
}

/** An RFB session over the console stream (handed over paused, so that no byte is lost before it is read). */
async function rfbOver(stream: Awaited<ReturnType<typeof openUpstream>>) {
  const session = rfbSession(stream);
  stream.resume();
  return session;
}

const uncaught = (promise: Promise<unknown>) =>
  promise.then(
    () => null,
    (error: unknown) => error,
  );

describe("opening a console on the VM's host", () => {
  it("trusts a member host's own certificate under pinning (learnt from the master), and logs in again when the host refuses the session", async () => {
    const connection = pinnedConnection("pinned");
    try {
      await connection.start().waitForSync(10_000);
      const endpoint = memberConsole(connection);
      expect(endpoint.location).toMatch(new RegExp(`^https://${MEMBER.replace(/\./g, "\\.")}:\\d+/console\\?uuid=`));
      const session = await rfbOver(await openUpstream(connection, endpoint));
      expect(hasDrawing(await session.nextRect())).toBe(true);
      session.close();

      sim.faults.expireSessions(0);
      const again = await rfbOver(await openUpstream(connection, endpoint));
      again.close();
    } finally {
      await connection.stop();
    }
  });

  it("refuses a member whose certificate it could not learn", async () => {
    sim.faults.failNext({ method: "host.get_server_certificate", error: ["INTERNAL_ERROR", "no certificate"], count: 10 });
    const connection = pinnedConnection("unlearnt");
    try {
      await connection.start().waitForSync(10_000);
      const error = await uncaught(openUpstream(connection, memberConsole(connection)));
      expect(error).toBeInstanceOf(ConsoleUpstreamError);
      expect(error).toMatchObject({ code: "CERTIFICATE_REFUSED" });
    } finally {
      await connection.stop();
      await sim.faults.reset();
    }
  });

  it("follows a location only to the VM's resident host, with the pool's scheme", () => {
    const endpoint = { consoleUuid: "c", hostAddress: "10.0.0.2", location: "https://10.0.0.2/console?uuid=c" };
    const pool = new URL("https://10.0.0.1");
    expect(checkedLocation(endpoint, pool).href).toBe("https://10.0.0.2/console?uuid=c");
    for (const location of [
      "http://10.0.0.2/console?uuid=c",
      "https://10.6.6.6/console?uuid=c",
      "https://user:pw@10.0.0.2/console",
      "file:///etc/passwd",
      "not a url",
    ]) {
      expect(() => checkedLocation({ ...endpoint, location }, pool), location).toThrow(ConsoleUpstreamError);
    }
    // A plain-http pool (the simulator) may have plain-http consoles; IPv6 hosts are written in brackets.
    expect(checkedLocation({ ...endpoint, location: "http://10.0.0.2:8080/console?uuid=c" }, new URL("http://10.0.0.1:8080")).port).toBe("8080");
    expect(checkedLocation({ consoleUuid: "c", hostAddress: "fd00::2", location: "https://[fd00::2]/console?uuid=c" }, pool).hostname).toBe("[fd00::2]");
  });
});
