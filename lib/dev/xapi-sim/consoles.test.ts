import { once } from "node:events";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { ConsoleRecord, VmRecord } from "@/lib/xapi/model/records.generated";
import { ConsoleHttpError, connectTunnel, hasDrawing, openWebSocket, rfbSession } from "@/lib/dev/test/console-clients";
import { TestClient } from "@/lib/dev/test/sim-client";
import { startSimulator, type Simulator } from "./index";

let sim: Simulator;
let xapi: TestClient;

beforeAll(async () => {
  sim = await startSimulator({ pools: 1, hostsPerPool: 2, vmsPerPool: 12, speed: 0.02 });
  xapi = new TestClient(sim.pools[0].masterUrl);
  await xapi.login(sim.username, sim.password);
});
afterAll(() => sim.stop());

const vmRecord = (key: string) => sim.inspect.vm(key)!.record;
const consoleOf = (vm: VmRecord, protocol = "rfb") =>
  vm.consoles.map((ref) => sim.inspect.get<ConsoleRecord>("console", ref)!.record).find((record) => record.protocol === protocol)!;
const used = new Set<string>();
function take(state: string): { ref: string; record: VmRecord } {
  const found = sim.inspect
    .all<VmRecord>("VM")
    .find((vm) => !vm.record.is_a_template && !vm.record.is_control_domain && vm.record.power_state === state && !used.has(vm.ref));
  if (!found) throw new Error(`no ${state} VM left`);
  used.add(found.ref);
  return found;
}
const statusOf = (promise: Promise<unknown>) =>
  promise.then(
    () => 200,
    (error: unknown) => (error instanceof ConsoleHttpError ? error.status : Promise.reject(error)),
  );
const wsUrl = (location: string) => location.replace(/^http/, "ws");

describe("console locations", () => {
  it("name the resident host with the simulator's own scheme and port, and control domains have a vt100 console too", () => {
    const vm = take("Running").record;
    const host = sim.pools[0].hosts.find((candidate) => candidate.ref === vm.resident_on)!;
    const rfb = consoleOf(vm);
    expect(rfb.location).toBe(`${host.url}/console?uuid=${rfb.uuid}`);
    const dom0 = sim.inspect.all<VmRecord>("VM").find((candidate) => candidate.record.is_control_domain)!.record;
    expect(dom0.consoles.map((ref) => sim.inspect.get<ConsoleRecord>("console", ref)!.record.protocol).sort()).toEqual(["rfb", "vt100"]);
  });
});

describe("graphical consoles (RFB 3.8)", () => {
  it("serve a framebuffer over CONNECT to a third-party RFB client, and receive its keys", async () => {
    const { ref, record } = take("Running");
    const session = await rfbSession(await connectTunnel(consoleOf(record).location, xapi.session));
    expect(session.title).toBe(record.name_label.toLowerCase().replace(/[^a-z0-9-]+/g, "-"));
    expect([720, 800, 1024]).toContain(session.width);
    const first = await session.nextRect();
    expect(first).toMatchObject({ x: 0, y: 0, width: session.width, height: session.height });
    expect(hasDrawing(first)).toBe(true);

    session.type("root\n");
    await expect.poll(() => sim.inspect.console(ref)?.typed).toBe("root\r");
    await expect.poll(() => sim.inspect.console(ref)?.screen?.lines.join("\n")).toContain("Password:");
    // The client sees the change once it asks for it.
    session.client.requestUpdate(true, 0, 0, session.width, session.height);
    expect(hasDrawing(await session.nextRect())).toBe(true);
    session.close();
    await expect.poll(() => sim.inspect.console(ref)?.screen?.connections).toBe(0);
  });

  it("serve the same console over a websocket that offers `binary`", async () => {
    const { ref, record } = take("Running");
    const { websocket, stream } = await openWebSocket(wsUrl(consoleOf(record).location), { headers: { Cookie: `session_id=${xapi.session}` } });
    expect(websocket.protocol).toBe("binary");
    const session = await rfbSession(stream);
    expect(hasDrawing(await session.nextRect())).toBe(true);
    session.type("admin\n");
    await expect.poll(() => sim.inspect.console(ref)?.typed).toBe("admin\r");
    session.close();
  });

  it("refuse a websocket client that does not offer `binary` (XAPI answers with it regardless)", async () => {
    const record = take("Running").record;
    await expect(openWebSocket(wsUrl(consoleOf(record).location), { headers: { Cookie: `session_id=${xapi.session}` }, protocols: [] })).rejects.toThrow(
      /subprotocol/,
    );
  });

  it("check the session (cookie or query) and that the VM runs on the host asked, as XAPI does", async () => {
    const { record } = take("Running");
    const location = consoleOf(record).location;
    expect(await statusOf(connectTunnel(location, null))).toBe(401);
    expect(await statusOf(connectTunnel(location, "OpaqueRef:forged"))).toBe(401);
    expect(await statusOf(openWebSocket(wsUrl(location)))).toBe(401);
    const byQuery = await connectTunnel(`${location}&session_id=${xapi.session}`, null);
    byQuery.destroy();

    const other = sim.pools[0].hosts.find((host) => host.ref !== record.resident_on)!;
    expect(await statusOf(connectTunnel(location.replace(/\/\/[^/]+/, `//${other.address}:${sim.port}`), xapi.session))).toBe(500);
    expect(await statusOf(connectTunnel(location.replace(/uuid=.*/, "uuid=not-a-console"), xapi.session))).toBe(500);
    const halted = take("Halted").record;
    expect(await statusOf(connectTunnel(location.replace(/uuid=.*/, `uuid=${halted.uuid}`), xapi.session))).toBe(500);
    // A VM's uuid stands for its graphical console.
    const byVm = await rfbSession(await connectTunnel(location.replace(/uuid=.*/, `uuid=${record.uuid}`), xapi.session));
    byVm.close();
  });

  it("close when the VM reboots (a new domain, whose screen has another size) and when it halts", async () => {
    const { ref, record } = take("Running");
    const location = consoleOf(record).location;
    const before = await rfbSession(await connectTunnel(location, xapi.session));
    await xapi.s("VM.clean_reboot", ref);
    await before.ended;

    const rebooted = vmRecord(ref);
    const after = await rfbSession(await connectTunnel(consoleOf(rebooted).location, xapi.session));
    expect([after.width, after.height]).not.toEqual([before.width, before.height]);

    await xapi.s("VM.hard_shutdown", ref);
    await after.ended;
    expect(vmRecord(ref).consoles).toEqual([]);
    expect(await statusOf(connectTunnel(location, xapi.session))).toBe(500);
  });

  it("drop a client that sends garbage, and keep serving the others", async () => {
    const record = take("Running").record;
    const location = consoleOf(record).location;
    const healthy = await rfbSession(await connectTunnel(location, xapi.session));
    await healthy.nextRect();
    const garbage = await connectTunnel(location, xapi.session);
    garbage.resume();
    garbage.write("GET / HTTP/1.1\r\n\r\n");
    await once(garbage, "close");

    const late = await connectTunnel(location, xapi.session);
    late.resume();
    late.write("RFB 003.008\n");
    late.write(Buffer.from([1, 0]));
    late.write(Buffer.from([0x63, 1, 2, 3]));
    await once(late, "close");

    healthy.client.requestUpdate(false, 0, 0, 16, 16);
    expect((await healthy.nextRect()).width).toBe(16);
    healthy.close();
  });
});

describe("text consoles (vt100)", () => {
  it("give the control domain's login prompt and take what is typed", async () => {
    const dom0 = sim.inspect.all<VmRecord>("VM").find((candidate) => candidate.record.is_control_domain)!;
    const tunnel = await connectTunnel(consoleOf(dom0.record, "vt100").location, xapi.session);
    let received = "";
    tunnel.on("data", (chunk: Buffer) => (received += chunk.toString("utf8")));
    await expect.poll(() => received).toMatch(/login: $/);
    tunnel.write("root\r");
    await expect.poll(() => received).toMatch(/Password: $/);
    tunnel.write("secret\rhostname\r");
    await expect.poll(() => received).toMatch(/\r\nxcp-[a-z0-9-]+\r\n\[root@/);
    expect(received).not.toContain("secret");
    expect(sim.inspect.console(dom0.ref)?.typed).toBe("root\rsecret\rhostname\r");
    tunnel.destroy();
  });
});
