import { afterAll, beforeAll, describe, expect, it, vi } from "vitest";
import { startSimulator, type Simulator } from "./index";
import { TestClient } from "@/lib/dev/test/sim-client";

let sim: Simulator;

beforeAll(async () => {
  sim = await startSimulator({ pools: 1, hostsPerPool: 3, vmsPerPool: 4, password: "s3cret", sessionTtlMs: 400 });
});
afterAll(() => sim.stop());

const master = () => new TestClient(sim.pools[0].masterUrl);

describe("sessions", () => {
  it("logs in with 2 or 4 parameters and records the originator", async () => {
    const client = master();
    const two = String(await client.call("session.login_with_password", "root", "s3cret"));
    const four = String(await client.call("session.login_with_password", "root", "s3cret", "2.21", "my-tool"));
    expect(two).toMatch(/^OpaqueRef:[0-9a-f-]{36}$/);
    expect(await client.call("session.get_originator", four, four)).toBe("my-tool");
    expect(await client.call("session.get_this_host", two, two)).toBe(sim.pools[0].master.ref);
    expect(sim.username).toBe("root");
    expect(sim.password).toBe("s3cret");
  });

  it("refuses wrong credentials with SESSION_AUTHENTICATION_FAILED [user, message]", async () => {
    for (const [user, password] of [
      ["root", "nope"],
      ["admin", "s3cret"],
      ["root", ""],
    ]) {
      const fault = await master().fault("session.login_with_password", user, password);
      expect([fault.code, ...fault.params]).toEqual(["SESSION_AUTHENTICATION_FAILED", user, "Authentication failure"]);
    }
  });

  it("answers SESSION_INVALID [ref] for unknown and logged-out sessions", async () => {
    const client = master();
    const session = await client.login("root", "s3cret");
    expect(await client.s("pool.get_all")).toHaveLength(1);
    await client.s("session.logout");
    for (const ref of [session, "OpaqueRef:00000000-0000-0000-0000-000000000000", ""]) {
      const fault = await client.fault("pool.get_all", ref);
      expect([fault.code, ...fault.params]).toEqual(["SESSION_INVALID", ref]);
    }
  });

  it("expires sessions after the inactivity timeout, but not active ones", async () => {
    // The simulator runs in this process: its clock is moved on instead of waited for (timers stay real).
    vi.useFakeTimers({ toFake: ["Date"], now: Date.now() });
    try {
      const idle = master();
      const busy = master();
      await idle.login("root", "s3cret");
      await busy.login("root", "s3cret");
      for (let i = 0; i < 6; i++) {
        vi.setSystemTime(Date.now() + 100); // 600 ms in all, past the 400 ms timeout for the idle one
        await busy.s("pool.get_all");
      }
      expect((await idle.fault("pool.get_all", idle.session)).code).toBe("SESSION_INVALID");
      expect(await busy.s("pool.get_all")).toHaveLength(1);
    } finally {
      vi.useRealTimers();
    }
  });

  it("answers HOST_IS_SLAVE [master address] on members, for logins and calls", async () => {
    const masterAddress = sim.pools[0].master.address;
    const session = await master().login("root", "s3cret");
    for (const member of sim.pools[0].hosts.filter((h) => h.ref !== sim.pools[0].master.ref)) {
      const client = new TestClient(member.url);
      const login = await client.fault("session.login_with_password", "root", "s3cret");
      expect([login.code, ...login.params]).toEqual(["HOST_IS_SLAVE", masterAddress]);
      const badLogin = await client.fault("session.login_with_password", "root", "wrong");
      expect(badLogin.code).toBe("HOST_IS_SLAVE");
      const call = await client.fault("VM.get_all", session);
      expect([call.code, ...call.params]).toEqual(["HOST_IS_SLAVE", masterAddress]);
      const json = await new TestClient(member.url, "json").fault("pool.get_all", session);
      expect([json.code, ...json.params]).toEqual(["HOST_IS_SLAVE", masterAddress]);
    }
  });

  it("keeps session records out of events and listings", async () => {
    const client = master();
    await client.login("root", "s3cret");
    const batch = (await client.s("event.from", ["*"], "", 0)) as { events: { class: string }[]; valid_ref_counts: Record<string, string> };
    expect(batch.events.some((e) => e.class === "session")).toBe(false);
    expect(Number(batch.valid_ref_counts.session)).toBeGreaterThan(0);
    expect((await client.fault("session.get_all", client.session)).code).toBe("MESSAGE_METHOD_UNKNOWN");
  });
});
