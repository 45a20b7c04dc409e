import { execFile } from "node:child_process";
import { connect } from "node:tls";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";
import { startSimulator } from "./index";
import { TestClient } from "./test-client";
import { TEST_TLS, TEST_TLS_FINGERPRINT } from "./test-tls";

const resources = (kind: string) => process.getActiveResourcesInfo().filter((r) => r === kind).length;

describe("simulator lifecycle", () => {
  it("binds every host on one free port and closes every socket and timer on stop", async () => {
    const servers = resources("TCPServerWrap");
    const timers = resources("Timeout");
    const sim = await startSimulator({ pools: 2, hostsPerPool: 2, vmsPerPool: 4, speed: 0.05, activity: { intervalMs: 30 } });
    expect(resources("TCPServerWrap")).toBe(servers + 5);
    const client = new TestClient(sim.pools[0].masterUrl);
    await client.login(sim.username, sim.password);
    const waiting = client.s("event.from", ["pif"], ((await client.s("event.from", ["pif"], "", 0)) as { token: string }).token, 30).catch(() => "stopped");
    await client.s("Async.VM.snapshot", sim.inspect.all("VM", 0)[0].ref, "pending at stop");
    await sim.stop();
    expect(await waiting).toBe("stopped");
    expect(resources("TCPServerWrap")).toBe(servers);
    expect(resources("Timeout")).toBeLessThanOrEqual(timers);
    await sim.stop();
  });

  it("runs several simulators side by side", async () => {
    const [a, b] = await Promise.all([startSimulator({ pools: 1, hostsPerPool: 1, vmsPerPool: 1 }), startSimulator({ pools: 1, hostsPerPool: 1, vmsPerPool: 1 })]);
    try {
      expect(a.port).not.toBe(b.port);
      for (const sim of [a, b]) expect(await new TestClient(sim.pools[0].masterUrl).login(sim.username, sim.password)).toMatch(/^OpaqueRef:/);
    } finally {
      await Promise.all([a.stop(), b.stop()]);
    }
  });

  it("refuses impossible options", async () => {
    await expect(startSimulator({ pools: 0 })).rejects.toThrow(/pools/);
    await expect(startSimulator({ hostsPerPool: 300 })).rejects.toThrow(/hosts/);
    await expect(startSimulator({ baseAddress: "127.0.1" })).rejects.toThrow(/address/);
  });
});

describe("HTTPS", () => {
  it("serves XAPI over TLS with the given certificate", async () => {
    const sim = await startSimulator({ pools: 1, hostsPerPool: 2, vmsPerPool: 2, tls: TEST_TLS });
    try {
      expect(sim.pools[0].masterUrl).toBe(`https://127.0.1.1:${sim.port}`);
      const client = new TestClient(sim.pools[0].masterUrl);
      await client.login(sim.username, sim.password);
      expect(await client.s("pool.get_all")).toEqual([sim.pools[0].ref]);
      expect((await new TestClient(sim.pools[0].hosts[1].url).fault("session.login_with_password", "root", sim.password)).description).toEqual(["HOST_IS_SLAVE", "127.0.1.1"]);
      const fingerprint = await new Promise<string>((resolve, reject) => {
        const socket = connect({ host: "127.0.1.1", port: sim.port, rejectUnauthorized: false }, () => {
          resolve(socket.getPeerCertificate().fingerprint256);
          socket.end();
        });
        socket.on("error", reject);
      });
      expect(fingerprint).toBe(TEST_TLS_FINGERPRINT);
    } finally {
      await sim.stop();
    }
  });
});

describe("CLI", () => {
  it("prints the pools, members, credentials and control URL, then stops cleanly on SIGTERM", async () => {
    const cli = fileURLToPath(new URL("./cli.ts", import.meta.url));
    const tsx = fileURLToPath(new URL("../../node_modules/.bin/tsx", import.meta.url));
    const child = execFile(tsx, [cli, "--pools", "2", "--hosts", "2", "--vms", "3", "--no-activity", "--address", "127.0.7.1"]);
    let out = "";
    child.stdout!.on("data", (d: Buffer) => {
      out += d.toString();
      if (out.includes("Ctrl-C")) child.kill("SIGTERM");
    });
    const code = await new Promise<number | null>((resolve) => child.on("exit", resolve));
    expect(out).toMatch(/pool "lab"\s+master http:\/\/127\.0\.7\.1:\d+/);
    expect(out).toMatch(/member http:\/\/127\.0\.7\.2:\d+/);
    expect(out).toMatch(/pool "production"\s+master http:\/\/127\.0\.8\.1:\d+/);
    expect(out).toContain("credentials  root / xendeck-sim");
    expect(out).toMatch(/control API  http:\/\/127\.0\.0\.1:\d+/);
    expect(out).toContain("stopped");
    expect(code).toBe(0);
  });
});
