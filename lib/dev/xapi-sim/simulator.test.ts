import { execFile } from "node:child_process";
import { connect } from "node:tls";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";
import { startSimulator } from "./index";
import { TestClient } from "@/lib/dev/test/sim-client";
import { X509Certificate } from "node:crypto";
import { TEST_TLS, TEST_TLS_FINGERPRINT, TEST_TLS_MEMBER, TEST_TLS_MEMBER_FINGERPRINT } from "@/lib/dev/test/tls";

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
    const [a, b] = await Promise.all([
      startSimulator({ pools: 1, hostsPerPool: 1, vmsPerPool: 1 }),
      startSimulator({ pools: 1, hostsPerPool: 1, vmsPerPool: 1 }),
    ]);
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

describe("background warm-up", () => {
  it("builds every XML fragment, serves the same bytes, and rebuilds only what changes", async () => {
    const sim = await startSimulator({ pools: 2, hostsPerPool: 2, vmsPerPool: 20 });
    try {
      const client = new TestClient(sim.pools[0].masterUrl);
      await client.login(sim.username, sim.password);
      const before = sim.inspect.fragmentCounts();
      expect(before.objects).toBeGreaterThan(200);
      expect(before.xml).toBeLessThan(10); // only what the login touched
      await sim.warmUp();
      expect(sim.inspect.fragmentCounts()).toMatchObject({ objects: before.objects, xml: before.objects, json: 0 });
      expect((await client.raw("VM.get_all_records", [client.session])).body).toContain("<name>name_label</name>");
      const beforeRename = sim.inspect.fragmentCounts();
      sim.outside.vm(sim.inspect.all("VM", 0).find((v) => !(v.record as { is_a_template: boolean }).is_a_template)!.ref, { fields: { name_label: "renamed" } });
      expect(sim.inspect.fragmentCounts()).toEqual({ ...beforeRename, xml: beforeRename.xml - 1 });
      expect(JSON.stringify(await client.s("VM.get_all_records"))).toContain('"name_label":"renamed"');
      await expect(sim.warmUp()).resolves.toBeUndefined();
    } finally {
      await sim.stop();
    }
  });

  it("stops when the simulator stops", async () => {
    const sim = await startSimulator({ pools: 2, hostsPerPool: 2, vmsPerPool: 400 });
    const warming = sim.warmUp();
    await sim.stop();
    await warming;
    expect(sim.inspect.fragmentCounts().xml).toBeLessThan(sim.inspect.fragmentCounts().objects);
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
      expect((await new TestClient(sim.pools[0].hosts[1].url).fault("session.login_with_password", "root", sim.password)).description).toEqual([
        "HOST_IS_SLAVE",
        "127.0.1.1",
      ]);
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

  it("gives hosts their own certificates, which host.get_server_certificate returns", async () => {
    const sim = await startSimulator({ pools: 1, hostsPerPool: 3, vmsPerPool: 1, tls: { ...TEST_TLS, hosts: { "127.0.1.2": TEST_TLS_MEMBER } } });
    try {
      const served = (address: string) =>
        new Promise<string>((resolve, reject) => {
          const socket = connect({ host: address, port: sim.port, rejectUnauthorized: false }, () => {
            resolve(socket.getPeerCertificate().fingerprint256);
            socket.end();
          });
          socket.on("error", reject);
        });
      const client = new TestClient(sim.pools[0].masterUrl);
      await client.login(sim.username, sim.password);
      const expected = [TEST_TLS_FINGERPRINT, TEST_TLS_MEMBER_FINGERPRINT, TEST_TLS_FINGERPRINT];
      for (const [i, host] of sim.pools[0].hosts.entries()) {
        const pem = (await client.s("host.get_server_certificate", host.ref)) as string;
        expect(pem).toMatch(/^-----BEGIN CERTIFICATE-----\n[\s\S]+\n-----END CERTIFICATE-----\n$/);
        expect(new X509Certificate(pem).fingerprint256).toBe(expected[i]);
        expect(await served(host.address)).toBe(expected[i]);
      }
      expect((await client.fault("host.get_server_certificate", client.session, "OpaqueRef:nope")).description).toEqual([
        "HANDLE_INVALID",
        "host",
        "OpaqueRef:nope",
      ]);
    } finally {
      await sim.stop();
    }
  });
});

describe("host.get_server_certificate over HTTP", () => {
  it("answers the built-in test certificate (a real host always has one)", async () => {
    const sim = await startSimulator({ pools: 1, hostsPerPool: 1, vmsPerPool: 1 });
    try {
      const client = new TestClient(sim.pools[0].masterUrl);
      await client.login(sim.username, sim.password);
      const pem = (await client.s("host.get_server_certificate", sim.pools[0].hosts[0].ref)) as string;
      expect(new X509Certificate(pem).fingerprint256).toBe(TEST_TLS_FINGERPRINT);
    } finally {
      await sim.stop();
    }
  });
});

describe("CLI", () => {
  it("prints the pools, members, credentials and control URL, then stops cleanly on SIGTERM", async () => {
    const cli = fileURLToPath(new URL("./cli.ts", import.meta.url));
    // Node with tsx's loader, not the tsx binary: a signal then reaches the simulator itself, not a wrapper.
    const child = execFile(process.execPath, ["--import", "tsx", cli, "--pools", "2", "--hosts", "2", "--vms", "3", "--no-activity", "--address", "127.0.7.1"]);
    let out = "";
    let signalled = false;
    child.stdout!.on("data", (d: Buffer) => {
      out += d.toString();
      // Once: a second SIGTERM while it stops (the "stopped" line arrives as another chunk) would kill it outright.
      if (!signalled && out.includes("Ctrl-C")) {
        signalled = true;
        child.kill("SIGTERM");
      }
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
