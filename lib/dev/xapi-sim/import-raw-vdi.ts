/**
 * `PUT /import_raw_vdi?session_id=<ref>&vdi=<ref or uuid>[&format=raw][&task_id=<ref>]`: a disk image uploaded
 * into an existing VDI, as xapi's import_raw_vdi.ml serves it. Credentials come from `session_id` (query or
 * cookie) or HTTP Basic auth (401 otherwise). A host that cannot see the VDI's SR redirects (302) to one that
 * can. The work runs in a task: the caller's `task_id`, or a new "Importing raw VDI" task named in the
 * `task-id` response header. Like xapi, the host answers 200 with that header before reading the body, then
 * reads it; the task ends with the VDI ref as result, or fails: VDI_IO_ERROR when more bytes arrive than the
 * disk holds (the connection is then cut), VDI_IN_USE / VDI_READONLY when the disk cannot be written. Unknown
 * formats and chunked bodies get 404. The bytes are kept for inspection (vdi-content.ts). With `sr_id` or
 * `sr_uuid` instead of `vdi`, a raw upload of known length goes into a new "Imported VDI" on that SR.
 */
import type { IncomingMessage, ServerResponse } from "node:http";
import type { PbdRecord, SessionRecord, SrRecord, TaskRecord, VbdRecord, VdiRecord, VmRecord } from "@/lib/xapi/model/records.generated";
import { toXapiError, XapiError } from "./errors";
import type { HttpRouteContext } from "./http-routes";
import type { SimPool } from "./pool";
import { parseType } from "./protocol/xapi-types";
import { xmlValue } from "./protocol/xmlrpc";
import type { CallContext } from "./registry";
import { driverOf, vhdUtilisationAfterWrite } from "./sr-drivers";
import type { StoredObject } from "./store";
import { isSystemDomain } from "./vbd-rules";
import { ContentWriter } from "./vdi-content";
import { createDisk } from "./vdis";

type Task = StoredObject<TaskRecord>;
type Vdi = StoredObject<VdiRecord>;

const FORMATS = new Set(["raw", "vhd", "tar", "qcow2"]);
const VDI_REF = parseType("VDI ref");

function cookie(req: IncomingMessage, name: string): string | undefined {
  for (const part of (req.headers.cookie ?? "").split(";")) {
    const [key, ...value] = part.trim().split("=");
    if (key === name) return decodeURIComponent(value.join("="));
  }
  return undefined;
}

function param(ctx: HttpRouteContext, name: string): string | undefined {
  return ctx.url.searchParams.get(name) ?? cookie(ctx.req, name);
}

function reply(res: ServerResponse, status: number, text: string, headers: Record<string, string> = {}): void {
  if (res.headersSent) return void res.destroy();
  res.writeHead(status, { "Content-Type": "text/html", "Content-Length": Buffer.byteLength(text), Connection: "close", ...headers });
  res.end(text);
}

/** The session the request authenticates with, and whether it was opened for this request only. */
function authenticate(ctx: HttpRouteContext): { session: StoredObject<SessionRecord>; temporary: boolean } | undefined {
  const ref = param(ctx, "session_id");
  if (ref !== undefined) {
    try {
      return { session: ctx.pool.sessions.validate(ref), temporary: false };
    } catch {
      return undefined;
    }
  }
  const basic = /^Basic (.+)$/i.exec(ctx.req.headers.authorization ?? "");
  if (!basic) return undefined;
  const [user, ...password] = Buffer.from(basic[1], "base64").toString("utf8").split(":");
  try {
    return { session: ctx.pool.sessions.login(user, password.join(":"), "import_raw_vdi using Basic auth"), temporary: true };
  } catch {
    return undefined;
  }
}

function findVdi(pool: SimPool, key: string): Vdi | undefined {
  return pool.store.getOf<VdiRecord>("VDI", key) ?? pool.store.byUuidOf<VdiRecord>("VDI", key);
}

function findSr(ctx: HttpRouteContext): StoredObject<SrRecord> | undefined {
  const ref = param(ctx, "sr_id");
  if (ref !== undefined) return ctx.pool.store.getOf<SrRecord>("SR", ref);
  const uuid = param(ctx, "sr_uuid");
  return uuid === undefined ? undefined : ctx.pool.store.byUuidOf<SrRecord>("SR", uuid);
}

function hostsSeeing(pool: SimPool, sr: StoredObject<SrRecord>): string[] {
  return sr.rec.PBDs.map((ref) => pool.store.getOf<PbdRecord>("PBD", ref)?.rec).flatMap((pbd) => (pbd?.currently_attached ? [pbd.host] : []));
}

/** Why the VDI cannot be written now: what plugging it read-write into dom0 would meet (xapi_vbd_helpers). */
function writeRefusal(pool: SimPool, vdi: Vdi): XapiError | undefined {
  const busy = vdi.rec.VBDs.map((ref) => pool.store.getOf<VbdRecord>("VBD", ref)).some((vbd) => {
    const vm = vbd && pool.store.getOf<VmRecord>("VM", vbd.rec.VM);
    return (
      vbd &&
      vm &&
      vm.rec.power_state !== "Suspended" &&
      !isSystemDomain(vm.rec) &&
      (vbd.rec.currently_attached || Object.keys(vbd.rec.current_operations).length > 0)
    );
  });
  if (busy && !vdi.rec.sharable) return new XapiError("VDI_IN_USE", [vdi.ref]);
  if (vdi.rec.read_only) return new XapiError("VDI_READONLY", [vdi.ref]);
  return undefined;
}

export async function importRawVdi(ctx: HttpRouteContext): Promise<void> {
  const { pool, req, res } = ctx;
  if (req.method !== "PUT") return reply(res, 404, "<html><body><h1>HTTP 404 not found</h1></body></html>");
  const auth = authenticate(ctx);
  const givenTask = param(ctx, "task_id");
  const clientTask = givenTask === undefined ? undefined : pool.store.getOf<TaskRecord>("task", givenTask);
  if (!auth) {
    if (clientTask) pool.tasks.fail(clientTask, new XapiError("SESSION_AUTHENTICATION_FAILED", []));
    return reply(res, 401, "<html><body><h1>HTTP 401 unauthorised</h1>Please check your credentials and retry.</body></html>", {
      "WWW-Authenticate": 'Basic realm="put_import_raw_vdi"',
    });
  }
  try {
    const vdiKey = param(ctx, "vdi");
    const vdi = vdiKey === undefined ? undefined : findVdi(pool, vdiKey);
    if (vdiKey !== undefined && !vdi) return reply(res, 500, "<html><body><h1>HTTP 500 internal server error</h1></body></html>");
    const sr = vdi ? pool.need<SrRecord>("SR", vdi.rec.SR) : findSr(ctx);
    if (!sr) {
      if (clientTask) pool.tasks.fail(clientTask, new XapiError("VDI_MISSING", []));
      return reply(res, 400, "<html><body><h1>HTTP 400 bad request</h1></body></html>");
    }
    const seeing = hostsSeeing(pool, sr);
    if (!seeing.includes(ctx.hostRef) && seeing.length > 0) {
      const target = pool.host(seeing[0]).rec.address;
      const location = `${ctx.core.options.tls ? "https" : "http"}://${target}:${req.socket.localPort}${req.url ?? ""}`;
      return reply(res, 302, "", { Location: location });
    }
    const task = clientTask ?? pool.tasks.create("Importing raw VDI", "", auth.session.ref);
    const format = param(ctx, "format") ?? "raw";
    if (!FORMATS.has(format.toLowerCase())) return failEarly(pool, task, res, new XapiError("INTERNAL_ERROR", [`Unknown format ${format}`]));
    if (req.headers["transfer-encoding"]) {
      return failEarly(pool, task, res, new XapiError("INTERNAL_ERROR", [`Cannot handle encoding: ${req.headers["transfer-encoding"]}`]));
    }
    const length = req.headers["content-length"] === undefined ? undefined : Number(req.headers["content-length"]);
    let target = vdi;
    if (!target) {
      if (format.toLowerCase() !== "raw" || length === undefined) {
        return failEarly(pool, task, res, new XapiError("INTERNAL_ERROR", ["Not enough info supplied to import"]), 400);
      }
      target = await newImportTarget(ctx, sr, length).catch((error: unknown) => {
        failEarly(pool, task, res, toXapiError(error), 500);
        return undefined;
      });
      if (!target) return;
    }
    res.writeHead(200, { "task-id": task.ref, "Content-Type": "application/octet-stream", Connection: "close" });
    res.flushHeaders();
    await receive(ctx, task, target, length);
  } catch (error) {
    ctx.core.options.log(`internal error in import_raw_vdi: ${(error as Error)?.stack ?? error}`);
    reply(res, 500, "<html><body><h1>HTTP 500 internal server error</h1></body></html>");
  } finally {
    if (auth.temporary) pool.sessions.destroy(auth.session);
  }
}

function failEarly(pool: SimPool, task: Task, res: ServerResponse, error: XapiError, status = 404): void {
  pool.tasks.fail(task, error);
  reply(res, status, `<html><body><h1>HTTP ${status}</h1></body></html>`, { "task-id": task.ref });
}

/** Without `vdi`, xapi creates the disk itself (raw uploads of known length only). */
function newImportTarget(ctx: HttpRouteContext, sr: StoredObject<SrRecord>, length: number): Promise<Vdi> {
  const call: CallContext = {
    core: ctx.core,
    pool: ctx.pool,
    hostRef: ctx.hostRef,
    session: undefined,
    name: "VDI.create",
    op: ctx.pool.tasks.transient(),
    signal: new AbortController().signal,
  };
  return createDisk(call, {
    SR: sr.ref,
    name_label: "Imported VDI",
    name_description: "",
    virtual_size: length,
    type: "user",
    sharable: false,
    read_only: false,
    other_config: {},
  });
}

/** Reads the body into the VDI; the task says how it went, the response ends when it is done. */
function receive(ctx: HttpRouteContext, task: Task, vdi: Vdi, length: number | undefined): Promise<void> {
  const { pool, req, res } = ctx;
  const refusal = writeRefusal(pool, vdi);
  const capacity = vdi.rec.virtual_size;
  const writer = new ContentWriter();
  return new Promise((resolve) => {
    const fail = (error: XapiError) => {
      if (task.rec.status === "pending") pool.tasks.fail(task, error);
      req.destroy();
      res.destroy();
      resolve();
    };
    if (refusal) return fail(refusal);
    if (length !== undefined && length > capacity) return fail(new XapiError("VDI_IO_ERROR", ["Device I/O errors"]));
    req.on("data", (chunk: Buffer) => {
      if (writer.size + chunk.length > capacity) return fail(new XapiError("VDI_IO_ERROR", ["Device I/O errors"]));
      writer.write(chunk);
      if (length && !task.dtime && task.rec.status === "pending") {
        const progress = Math.floor((writer.size / length) * 100) / 100;
        if (progress > task.rec.progress && progress < 1) pool.store.update(task, { progress });
      }
    });
    req.on("error", () => fail(new XapiError("VDI_IO_ERROR", ["Device I/O errors"])));
    req.on("end", () => {
      if (vdi.dtime) return fail(new XapiError("HANDLE_INVALID", ["VDI", vdi.ref]));
      writer.finish(vdi);
      recordUtilisation(pool, vdi, writer.size);
      pool.tasks.succeed(task, xmlValue(VDI_REF, vdi.ref));
      res.end();
      resolve();
    });
  });
}

/** A thin VHD grows with what was written into it; thick volumes are allocated already. */
function recordUtilisation(pool: SimPool, vdi: Vdi, written: number): void {
  const sr = pool.store.getOf<SrRecord>("SR", vdi.rec.SR);
  if (!sr || driverOf(sr.rec).provisioning !== "thin") return;
  const next = Math.max(vdi.rec.physical_utilisation, vhdUtilisationAfterWrite(vdi.rec.virtual_size, written));
  if (next === vdi.rec.physical_utilisation) return;
  pool.store.update(sr, { physical_utilisation: sr.rec.physical_utilisation + next - vdi.rec.physical_utilisation });
  pool.store.update(vdi, { physical_utilisation: next });
}
