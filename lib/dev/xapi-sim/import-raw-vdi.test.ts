/**
 * `PUT /import_raw_vdi` over real HTTP, against xapi's import_raw_vdi.ml: credentials (session_id, Basic
 * auth, 401), the task (the caller's task_id or a new one named in the `task-id` header) and its outcome,
 * oversized uploads and disks in use refused through the task, unknown formats and chunked bodies, members
 * that can or cannot see the SR, and the uploaded bytes offered for inspection.
 */
import { createHash, randomBytes } from "node:crypto";
import { request, type IncomingHttpHeaders } from "node:http";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { SrRecord, VbdRecord, VdiRecord, VmRecord } from "@/lib/xapi/model/records.generated";
import { startSimulator, type Simulator } from "./index";
import { KEPT_BYTES } from "./vdi-content";
import { TestClient } from "@/lib/dev/test/sim-client";

let sim: Simulator;
let xapi: TestClient;

const MiB = 1024 ** 2;

beforeAll(async () => {
  sim = await startSimulator({ pools: 1, hostsPerPool: 2, vmsPerPool: 20, speed: 0.02 });
  xapi = await TestClient.signedIn(sim);
});
afterAll(() => sim.stop());

interface Reply {
  status?: number;
  headers?: IncomingHttpHeaders;
  body?: string;
  /** The connection broke before a full reply (xapi cuts it when it stops reading). */
  error?: string;
}

/** Sends a request and waits for the whole reply, or for the connection to break. */
function send(
  url: string,
  path: string,
  body: Buffer | string[] | undefined,
  options: { method?: string; headers?: Record<string, string> } = {},
): Promise<Reply> {
  return new Promise((resolve) => {
    const reply: Reply = {};
    const req = request(new URL(path, url), { method: options.method ?? "PUT", headers: options.headers, agent: false }, (res) => {
      reply.status = res.statusCode;
      reply.headers = res.headers;
      const chunks: Buffer[] = [];
      res.on("data", (c: Buffer) => chunks.push(c));
      res.on("end", () => resolve({ ...reply, body: Buffer.concat(chunks).toString("utf8") }));
      res.on("error", (e) => resolve({ ...reply, error: e.message }));
    });
    req.on("error", (e) => resolve({ ...reply, error: e.message }));
    if (Array.isArray(body)) {
      for (const part of body) req.write(part);
      req.end();
    } else req.end(body);
  });
}

const vdi = (ref: string) => sim.inspect.get<VdiRecord>("VDI", ref)!.record;
const task = (ref: string) => sim.inspect.get<{ status: string; result: string; error_info: string[]; name_label: string }>("task", ref)?.record;
const sr = (find: (s: SrRecord) => boolean) => sim.inspect.all<SrRecord>("SR").find((s) => find(s.record))!;
const nfs = () => sr((s) => s.type === "nfs").ref;

async function newVdi(size: number, srRef = nfs()): Promise<string> {
  return (await xapi.s("VDI.create", {
    name_label: "cidata",
    name_description: "",
    SR: srRef,
    virtual_size: size,
    type: "user",
    sharable: false,
    read_only: false,
    other_config: {},
  })) as string;
}
const importPath = (query: Record<string, string>) => `/import_raw_vdi?${new URLSearchParams(query)}`;

describe("uploading into a VDI", () => {
  it("answers 200 with the task, writes the bytes, and completes the task with the VDI", async () => {
    const ref = await newVdi(10 * MiB);
    const data = randomBytes(KEPT_BYTES + 300 * 1024);
    const before = vdi(ref).physical_utilisation;
    const reply = await send(sim.pools[0].masterUrl, importPath({ session_id: xapi.session, vdi: ref, format: "raw" }), data);
    expect(reply).toMatchObject({ status: 200, headers: { "content-type": "application/octet-stream" } });
    const taskRef = String(reply.headers!["task-id"]);
    expect(await xapi.waitTask(taskRef)).toMatchObject({ status: "success", name_label: "Importing raw VDI", result: `<value>${ref}</value>` });
    const content = sim.inspect.vdiContent(ref)!;
    expect(content).toMatchObject({ size: data.length, sha256: createHash("sha256").update(data).digest("hex"), uploads: 1 });
    expect(content.head.equals(data.subarray(0, KEPT_BYTES))).toBe(true);
    expect(vdi(ref).physical_utilisation).toBeGreaterThan(before + data.length);

    const control = (await (await fetch(`${sim.controlUrl}/inspect/vdi-content/${vdi(ref).uuid}`)).json()) as Record<string, unknown>;
    expect(control).toMatchObject({ ok: true, size: data.length, sha256: content.sha256, uploads: 1 });
    expect(Buffer.from(String(control.head), "base64").equals(content.head)).toBe(true);
    expect((await fetch(`${sim.controlUrl}/inspect/vdi-content/${await newVdi(MiB)}`)).status).toBe(404);
  });

  it("reports on the caller's task, and accepts HTTP Basic credentials", async () => {
    const ref = await newVdi(4 * MiB);
    const taskRef = (await xapi.s("task.create", "upload", "config drive")) as string;
    const sessions = sim.inspect.sessionCount(0);
    const basic = `Basic ${Buffer.from(`${sim.username}:${sim.password}`).toString("base64")}`;
    const reply = await send(sim.pools[0].masterUrl, importPath({ vdi: vdi(ref).uuid, task_id: taskRef }), Buffer.from("user-data"), {
      headers: { Authorization: basic },
    });
    expect(reply).toMatchObject({ status: 200, headers: { "task-id": taskRef } });
    expect(task(taskRef)).toMatchObject({ status: "success", result: `<value>${ref}</value>` });
    expect(sim.inspect.vdiContent(ref)!.head.toString()).toBe("user-data");
    expect(sim.inspect.sessionCount(0)).toBe(sessions);
  });

  it("refuses unknown credentials with 401, failing the caller's task", async () => {
    const ref = await newVdi(MiB);
    const taskRef = (await xapi.s("task.create", "upload", "")) as string;
    const reply = await send(sim.pools[0].masterUrl, importPath({ session_id: "OpaqueRef:forged", vdi: ref, task_id: taskRef }), Buffer.from("x"));
    expect(reply).toMatchObject({ status: 401, headers: { "www-authenticate": 'Basic realm="put_import_raw_vdi"' } });
    expect(task(taskRef)).toMatchObject({ status: "failure", error_info: ["SESSION_AUTHENTICATION_FAILED"] });
    expect(sim.inspect.vdiContent(ref)).toBeUndefined();
  });

  it("fails the task with VDI_IO_ERROR when more bytes come than the disk holds", async () => {
    const ref = await newVdi(MiB);
    expect(vdi(ref).virtual_size).toBe(2 * MiB);
    const taskRef = (await xapi.s("task.create", "upload", "")) as string;
    await send(sim.pools[0].masterUrl, importPath({ session_id: xapi.session, vdi: ref, task_id: taskRef }), randomBytes(2 * MiB + 1));
    expect(await xapi.waitTask(taskRef)).toMatchObject({ status: "failure", error_info: ["VDI_IO_ERROR", "Device I/O errors"] });
    expect(sim.inspect.vdiContent(ref)).toBeUndefined();
  });

  it("fails the task with VDI_IN_USE for a disk a running VM uses", async () => {
    const running = sim.inspect.all<VmRecord>("VM").find((v) => !v.record.is_control_domain && v.record.power_state === "Running")!;
    const disk = running.record.VBDs.map((r) => sim.inspect.get<VbdRecord>("VBD", r)!.record).find((v) => v.type === "Disk")!.VDI;
    const taskRef = (await xapi.s("task.create", "upload", "")) as string;
    await send(sim.pools[0].masterUrl, importPath({ session_id: xapi.session, vdi: disk, task_id: taskRef }), Buffer.from("x"));
    expect(await xapi.waitTask(taskRef)).toMatchObject({ status: "failure", error_info: ["VDI_IN_USE", disk] });
  });

  it("answers 404 to unknown formats and chunked bodies, 400 without a disk or SR, 500 for an unknown disk", async () => {
    const ref = await newVdi(MiB);
    const unknown = await send(sim.pools[0].masterUrl, importPath({ session_id: xapi.session, vdi: ref, format: "vmdk" }), Buffer.from("x"));
    expect(unknown.status).toBe(404);
    expect(task(String(unknown.headers!["task-id"]))).toMatchObject({ status: "failure", error_info: ["INTERNAL_ERROR", "Unknown format vmdk"] });
    const chunked = await send(sim.pools[0].masterUrl, importPath({ session_id: xapi.session, vdi: ref }), ["a", "b"]);
    expect(chunked.status).toBe(404);
    expect(task(String(chunked.headers!["task-id"]))).toMatchObject({ status: "failure", error_info: ["INTERNAL_ERROR", "Cannot handle encoding: chunked"] });
    const taskRef = (await xapi.s("task.create", "upload", "")) as string;
    expect((await send(sim.pools[0].masterUrl, importPath({ session_id: xapi.session, task_id: taskRef }), Buffer.from("x"))).status).toBe(400);
    expect(task(taskRef)).toMatchObject({ status: "failure", error_info: ["VDI_MISSING"] });
    expect((await send(sim.pools[0].masterUrl, importPath({ session_id: xapi.session, vdi: "OpaqueRef:gone" }), Buffer.from("x"))).status).toBe(500);
    expect((await send(sim.pools[0].masterUrl, importPath({ session_id: xapi.session, vdi: ref }), undefined, { method: "GET" })).status).toBe(404);
  });

  it("creates the disk itself for a raw upload into an SR", async () => {
    const data = randomBytes(3 * MiB + 5);
    const reply = await send(
      sim.pools[0].masterUrl,
      importPath({ session_id: xapi.session, sr_uuid: sim.inspect.get<SrRecord>("SR", nfs())!.record.uuid }),
      data,
    );
    const done = await xapi.waitTask(String(reply.headers!["task-id"]));
    const ref = /<value>(.*)<\/value>/.exec(String(done.result))![1];
    expect(vdi(ref)).toMatchObject({ name_label: "Imported VDI", SR: nfs(), virtual_size: 4 * MiB, type: "user" });
    expect(sim.inspect.vdiContent(ref)!.size).toBe(data.length);
  });
});

describe("which host takes the upload", () => {
  it("a member that sees the SR takes it; one that does not redirects to one that does", async () => {
    const member = sim.pools[0].hosts[1];
    const shared = await newVdi(MiB);
    expect((await send(member.url, importPath({ session_id: xapi.session, vdi: shared }), Buffer.from("x"))).status).toBe(200);
    const masterLocal = sr((s) => s.type === "ext" && s.name_description.endsWith(sim.pools[0].hosts[0].name)).ref;
    const local = await newVdi(MiB, masterLocal);
    const path = importPath({ session_id: xapi.session, vdi: local });
    const redirected = await send(member.url, path, Buffer.from("x"));
    expect(redirected).toMatchObject({ status: 302, headers: { location: `${sim.pools[0].hosts[0].url}${path}` } });
  });
});

describe("consistency", () => {
  it("keeps every reference consistent", () => {
    expect(sim.inspect.consistencyErrors()).toEqual([]);
  });
});
