import { once } from "node:events";
import { createServer, type Server } from "node:http";
import net from "node:net";
import type { AddressInfo } from "node:net";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type WebSocket from "ws";
import type { ConsoleRecord, VmRecord } from "@/lib/xapi/model/records.generated";
import { ConsoleHttpError, hasDrawing, openWebSocket, rfbSession, type OpenWebSocket } from "@/lib/dev/test/console-clients";
import { eventually } from "@/lib/dev/test/eventually";
import { inventoryEnvironmentForFile } from "@/lib/dev/test/pool-environment";
import { sessionCookieFor } from "@/lib/dev/test/session-cookie";
import { TestClient } from "@/lib/dev/test/sim-client";
import { getPoolRegistry } from "@/lib/xapi/registry";
import { removeAcl } from "@/lib/access/acls";
import { recordChangesAs } from "@/lib/audit/record";
import { CONSOLE_CLOSE } from "./close-codes";
import { openConsoles } from "./open-consoles";
import { handleConsoleUpgrade, pendingHandshakes } from "./route";

const env = inventoryEnvironmentForFile({ pools: 1, hostsPerPool: 2, vmsPerPool: 12 });
let server: Server;
let origin: string;
let xapi: TestClient;

beforeAll(async () => {
  // The custom server's part (lib/server/http-server.ts): stamp the peer address, hand the upgrade over.
  server = createServer((_request, response) => response.writeHead(404).end());
  server.on("upgrade", (request, socket, head) => {
    request.headers["x-xendeck-peer-address"] = request.socket.remoteAddress ?? "";
    handleConsoleUpgrade(request, socket, head);
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  origin = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  xapi = new TestClient(env().sim.pools[0]!.masterUrl);
  await xapi.login(env().sim.username, env().sim.password);
});
afterAll(async () => {
  openConsoles().closeAll(1001, "test over", "test over");
  server.closeAllConnections();
  await new Promise((resolve) => server.close(resolve));
});

const used = new Set<string>();
function take(state = "Running") {
  const vm = env()
    .vms("lab")
    .find((candidate) => candidate.powerState === state && !used.has(candidate.uuid));
  if (!vm) throw new Error(`no ${state} VM left`);
  used.add(vm.uuid);
  return vm;
}

async function signedIn(username: string, acls: Parameters<ReturnType<typeof env>["user"]>[1] = []) {
  const user = await env().user(username, acls);
  return { user, cookie: await sessionCookieFor(user.id) };
}

function consoleUrl(vmUuid: string, protocol?: string) {
  return `${origin.replace("http", "ws")}/api/consoles/${vmUuid}${protocol ? `?protocol=${protocol}` : ""}`;
}

function open(vmUuid: string, cookie: string | null, options: { origin?: string; protocol?: string } = {}): Promise<OpenWebSocket> {
  const headers: Record<string, string> = { Origin: options.origin ?? origin };
  if (cookie) headers.Cookie = cookie;
  return openWebSocket(consoleUrl(vmUuid, options.protocol), { headers });
}

/** Resolves with the close code and reason the server sent. */
function closed(websocket: WebSocket): Promise<{ code: number; reason: string }> {
  return new Promise((resolve) => websocket.once("close", (code, reason) => resolve({ code, reason: reason.toString() })));
}

const statusOf = (promise: Promise<unknown>) =>
  promise.then(
    () => 101,
    (error: unknown) => (error instanceof ConsoleHttpError ? error.status : Promise.reject(error)),
  );

async function auditEntries(vmUuid: string) {
  return env().db.db.auditEntry.findMany({ where: { objectUuid: vmUuid, action: { startsWith: "vm.console" } }, orderBy: { id: "asc" } });
}

describe("the console proxy", () => {
  it("gives an operator the VM's console end to end: a third-party RFB client draws the screen and its keys reach the VM; open and close are audited", async () => {
    const vm = take();
    const { cookie } = await signedIn("console-operator", [{ kind: "vm", uuid: vm.uuid, role: "operator" }]);
    const { websocket, stream } = await open(vm.uuid, cookie);
    expect(websocket.protocol).toBe("binary");
    const session = await rfbSession(stream);
    expect(session.title).toMatch(/^[a-z0-9-]+$/);
    expect(hasDrawing(await session.nextRect())).toBe(true);
    session.type("root\n");
    await expect.poll(() => env().sim.inspect.console(vm.uuid)?.typed).toBe("root\r");

    const ended = closed(websocket);
    session.close();
    await ended;
    await expect.poll(async () => (await auditEntries(vm.uuid)).map((entry) => entry.action)).toEqual(["vm.console", "vm.console.close"]);
    const [opened, closedEntry] = await auditEntries(vm.uuid);
    expect(opened).toMatchObject({ outcome: "ok", actorUsername: "console-operator", address: "127.0.0.1", objectLabel: vm.name });
    const params = JSON.parse(closedEntry!.params) as Record<string, unknown>;
    expect(params).toMatchObject({ protocol: "rfb", console: JSON.parse(opened!.params).console, reason: "closed by the browser" });
    expect(params.bytesToBrowser).toBeGreaterThan(720 * 400);
    expect(params.bytesFromBrowser).toBeGreaterThan(12 + 8 * 10);
    expect(JSON.stringify([opened, closedEntry])).not.toContain("OpaqueRef");
    await expect.poll(() => env().sim.inspect.consoleConnections()).toBe(0);
  });

  it("refuses forged requests, and audits each refusal: wrong Origin, no session, another VM, a viewer, a halted VM", async () => {
    const vm = take();
    const other = take();
    const halted = take("Halted");
    const { cookie: operator } = await signedIn("console-refusals", [
      { kind: "vm", uuid: vm.uuid, role: "operator" },
      { kind: "vm", uuid: halted.uuid, role: "operator" },
    ]);
    const { cookie: viewer } = await signedIn("console-viewer", [{ kind: "vm", uuid: vm.uuid, role: "viewer" }]);

    expect(await statusOf(open(vm.uuid, operator, { origin: "https://evil.example" }))).toBe(403);
    expect(await statusOf(open(vm.uuid, null))).toBe(401);
    expect(await statusOf(open(vm.uuid, "next-auth.session-token=forged"))).toBe(401);

    const refusal = async (uuid: string, cookie: string) => {
      const { websocket } = await open(uuid, cookie);
      return closed(websocket);
    };
    expect(await refusal(other.uuid, operator)).toEqual({ code: CONSOLE_CLOSE.notFound, reason: "This VM does not exist, or you do not have access to it." });
    expect((await refusal(vm.uuid, viewer)).code).toBe(CONSOLE_CLOSE.notAllowed);
    expect((await refusal(halted.uuid, operator)).code).toBe(CONSOLE_CLOSE.notRunning);

    const codes = async (uuid: string) => (await auditEntries(uuid)).map((entry) => [entry.action, entry.outcome, entry.errorCode, entry.actorUsername]);
    await expect
      .poll(() => codes(vm.uuid))
      .toEqual([
        ["vm.console", "refused", "BAD_ORIGIN", null],
        ["vm.console", "refused", "NOT_SIGNED_IN", null],
        ["vm.console", "refused", "NOT_SIGNED_IN", null],
        ["vm.console", "refused", "NOT_ALLOWED", "console-viewer"],
      ]);
    expect(await codes(other.uuid)).toEqual([["vm.console", "refused", "NOT_FOUND", "console-refusals"]]);
    // The name of a VM the user may not see is not written where they can read it.
    expect((await auditEntries(other.uuid))[0]!.objectLabel).toBeNull();
    expect(await codes(halted.uuid)).toEqual([["vm.console", "refused", "VM_NOT_RUNNING", "console-refusals"]]);
  });

  it("closes the console when the VM reboots (the browser reconnects to the new one), and follows it to another host", async () => {
    const vm = take();
    const { cookie } = await signedIn("console-reboot", [{ kind: "vm", uuid: vm.uuid, role: "operator" }]);
    const first = await open(vm.uuid, cookie);
    const before = await rfbSession(first.stream);
    const ended = closed(first.websocket);
    await xapi.s("VM.clean_reboot", vm.ref);
    expect((await ended).code).toBe(CONSOLE_CLOSE.consoleEnded);

    const again = await rfbSession((await open(vm.uuid, cookie)).stream);
    expect([again.width, again.height]).not.toEqual([before.width, before.height]);
    again.close();

    const record = env().sim.inspect.vm(vm.uuid)!.record as VmRecord;
    const target = env().sim.pools[0]!.hosts.find((host) => host.ref !== record.resident_on)!;
    await xapi.s("VM.pool_migrate", vm.ref, target.ref, {});
    // Straight after the move, before the cache necessarily saw it: the proxy still finds the new host.
    const moved = await rfbSession((await open(vm.uuid, cookie)).stream);
    expect(hasDrawing(await moved.nextRect())).toBe(true);
    moved.close();
  });

  it("closes an open console within seconds of a revoked ACL or a disabled account, and when idle too long", async () => {
    const vm = take();
    const { user, cookie } = await signedIn("console-revoked", [{ kind: "vm", uuid: vm.uuid, role: "operator" }]);
    const first = await open(vm.uuid, cookie);
    await rfbSession(first.stream);
    const revoked = closed(first.websocket);
    // Revoked as an admin would (the repository moves the access version the grants are cached at).
    for (const acl of await env().db.db.acl.findMany({ where: { userId: user.id } })) await removeAcl(acl.id, recordChangesAs(env().admin, "acl.remove"));
    expect(await revoked).toEqual({ code: CONSOLE_CLOSE.notAllowed, reason: "You no longer have access to this console." });

    const { user: second, cookie: secondCookie } = await signedIn("console-disabled", [{ kind: "vm", uuid: vm.uuid, role: "operator" }]);
    const next = await open(vm.uuid, secondCookie);
    await rfbSession(next.stream);
    const disabled = closed(next.websocket);
    await env().db.db.user.update({ where: { id: second.id }, data: { disabled: true } });
    expect((await disabled).code).toBe(CONSOLE_CLOSE.sessionEnded);

    const { cookie: third } = await signedIn("console-idle", [{ kind: "vm", uuid: vm.uuid, role: "operator" }]);
    const idle = await open(vm.uuid, third);
    await rfbSession(idle.stream);
    const timedOut = closed(idle.websocket);
    await openConsoles().check(Date.now() + 31 * 60_000);
    expect((await timedOut).code).toBe(CONSOLE_CLOSE.idle);
    await expect
      .poll(async () => (await auditEntries(vm.uuid)).filter((entry) => entry.action === "vm.console.close").map((entry) => JSON.parse(entry.params).reason))
      .toEqual(["access revoked", "session ended", "idle timeout"]);
  });

  it("serves the host's text console (vt100) to a global admin, not to an operator of the whole pool", async () => {
    const dom0 = env()
      .sim.inspect.all<VmRecord>("VM", 0)
      .find((candidate) => candidate.record.is_control_domain)!.record;
    const vt100 = dom0.consoles.map((ref) => env().sim.inspect.get<ConsoleRecord>("console", ref)!.record).find((record) => record.protocol === "vt100");
    expect(vt100).toBeDefined();
    const admin = await sessionCookieFor(env().admin.id);
    const { stream } = await open(dom0.uuid, admin, { protocol: "vt100" });
    let received = "";
    stream.on("data", (chunk: Buffer) => (received += chunk.toString("utf8")));
    await expect.poll(() => received).toMatch(/login: $/);
    stream.write("root\r");
    await expect.poll(() => received).toMatch(/Password: $/);
    stream.destroy();

    const { cookie } = await signedIn("pool-operator", [{ kind: "pool", uuid: env().pools.lab!.uuid, role: "operator" }]);
    const { websocket } = await open(dom0.uuid, cookie, { protocol: "vt100" });
    expect((await closed(websocket)).code).toBe(CONSOLE_CLOSE.notAllowed);
  });
});

describe("bad input", () => {
  it("holds back the console while the browser does not read, without losing or piling up bytes", async () => {
    const vm = take();
    const { cookie } = await signedIn("console-slow", [{ kind: "vm", uuid: vm.uuid, role: "operator" }]);
    const { websocket, stream } = await open(vm.uuid, cookie);
    const session = await rfbSession(stream);
    const frame = 4 + 12 + session.width * session.height * 4;
    await session.nextRect();
    const entry = () =>
      openConsoles()
        .list()
        .find((candidate) => candidate.vmUuid === vm.uuid)!;
    const start = entry().stats().toBrowser;

    websocket.pause();
    const requests = 60;
    for (let index = 0; index < requests; index++) session.client.requestUpdate(false, 0, 0, session.width, session.height);
    await eventually(() => !entry().stats().flowing);
    const heldBack = entry().stats().toBrowser - start;
    expect(heldBack).toBeLessThan((requests * frame) / 2);

    let received = 0;
    const all = new Promise<void>((resolve) =>
      session.client.on("rect", () => {
        if (++received === requests) resolve();
      }),
    );
    websocket.resume();
    await all;
    expect(entry().stats().toBrowser - start).toBe(requests * frame);
    session.close();
  });

  it("closes on garbage (a text message, bytes that are not RFB) and keeps serving", async () => {
    const vm = take();
    const { cookie } = await signedIn("console-garbage", [{ kind: "vm", uuid: vm.uuid, role: "operator" }]);
    const text = await open(vm.uuid, cookie);
    const textClosed = closed(text.websocket);
    text.websocket.send("hello");
    expect((await textClosed).code).toBe(CONSOLE_CLOSE.badInput);

    const binary = await open(vm.uuid, cookie);
    const binaryClosed = closed(binary.websocket);
    binary.websocket.send(Buffer.from("GET / HTTP/1.1\r\n\r\n"));
    expect((await binaryClosed).code).toBe(CONSOLE_CLOSE.consoleEnded);

    const healthy = await rfbSession((await open(vm.uuid, cookie)).stream);
    expect(hasDrawing(await healthy.nextRect())).toBe(true);
    healthy.close();
  });

  it("survives a flood of connections opened and dropped mid-handshake, and ends up with nothing left open", async () => {
    const vm = take();
    const { cookie } = await signedIn("console-flood", [{ kind: "vm", uuid: vm.uuid, role: "operator" }]);
    const { port } = server.address() as AddressInfo;
    const request = (withCookie: boolean) =>
      `GET /api/consoles/${vm.uuid} HTTP/1.1\r\nHost: 127.0.0.1:${port}\r\nOrigin: ${origin}\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n` +
      `Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 13\r\nSec-WebSocket-Protocol: binary\r\n${withCookie ? `Cookie: ${cookie}\r\n` : ""}\r\n`;
    const drops = Array.from({ length: 400 }, async (_, index) => {
      const socket = net.connect(port, "127.0.0.1");
      socket.on("error", () => {});
      await once(socket, "connect");
      socket.write(index % 4 === 0 ? "\x16\x03\x01garbage\r\n\r\n" : request(index % 2 === 0));
      // A third hang up at once, the others once the server answered something (or hung up itself).
      if (index % 3 === 0) return socket.destroy();
      await new Promise((resolve) => {
        socket.once("data", resolve);
        socket.once("close", resolve);
      });
      socket.destroy();
    });
    await Promise.allSettled(drops);

    await eventually(() => pendingHandshakes() === 0 && openConsoles().size === 0 && env().sim.inspect.consoleConnections() === 0, 20_000);
    // The pool's own connection (its event stream, its calls) went on undisturbed.
    expect(getPoolRegistry().get(env().pools.lab!.id)!.status.state).toBe("connected");
    await env().catchUp();
    const after = await rfbSession((await open(vm.uuid, cookie)).stream);
    expect(hasDrawing(await after.nextRect())).toBe(true);
    after.close();
  });
});
