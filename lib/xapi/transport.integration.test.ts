/**
 * What a broken or hostile XAPI can send, through the real client over HTTP: every case ends in a typed
 * error, without a crash and without reading more than the size limit.
 */
import http from "node:http";
import type { AddressInfo } from "node:net";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { XapiClient } from "./client";
import { CLIENT_CODES, XapiError, XapiProtocolError, XapiTimeoutError, XapiTransportError } from "./errors";
import { startHostileServer, success, xml, type HostileServer } from "@/lib/dev/test/hostile-xapi-server";
import { eventually } from "@/lib/dev/test/eventually";

const quiet = { debug() {}, info() {}, warn() {}, error() {} };

let server: HostileServer;
let client: XapiClient;
beforeEach(async () => {
  server = await startHostileServer();
  client = new XapiClient({ url: server.url, username: "root", password: "secret-password", logger: quiet, callTimeoutMs: 2_000, maxResponseBytes: 1_000_000 });
});
afterEach(async () => {
  await client.close();
  await server.close();
});

async function failure(promise: Promise<unknown>): Promise<XapiError> {
  try {
    await promise;
  } catch (error) {
    expect(error).toBeInstanceOf(XapiError);
    expect((error as Error).message).not.toContain("secret-password");
    return error as XapiError;
  }
  throw new Error("expected the call to fail");
}

describe("client against a hostile server", () => {
  it("works when the server behaves (baseline)", async () => {
    server.on("VM.get_by_uuid", xml(success("OpaqueRef:vm")));
    await expect(client.call("VM.get_by_uuid", "u")).resolves.toBe("OpaqueRef:vm");
    expect(server.calls).toEqual(["session.login_with_password", "host.get_all_records", "VM.get_by_uuid"]);
  });

  it("refuses a non-XML body", async () => {
    server.on("VM.get_by_uuid", (response) => {
      response.writeHead(200, { "Content-Type": "text/html" });
      response.end("<html><body><h1>Welcome to nginx!</h1></body></html>");
    });
    const error = await failure(client.call("VM.get_by_uuid", "u"));
    expect(error).toBeInstanceOf(XapiProtocolError);
    expect(error.method).toBe("VM.get_by_uuid");
  });

  it("refuses a wrong envelope", async () => {
    server.on(
      "VM.get_by_uuid",
      xml(
        `<?xml version="1.0"?><methodResponse><params><param><value><struct><member><name>Result</name><value>ok</value></member></struct></value></param></params></methodResponse>`,
      ),
    );
    expect((await failure(client.call("VM.get_by_uuid", "u"))).message).toMatch(/envelope|Status/);
  });

  it("refuses wrong types in a record, naming the field", async () => {
    server.on(
      "VM.get_record",
      xml(
        success(
          "<struct><member><name>uuid</name><value>u</value></member><member><name>VCPUs_max</name><value><array><data/></array></value></member></struct>",
        ),
      ),
    );
    const error = await failure(client.call("VM.get_record", "OpaqueRef:vm"));
    expect(error).toBeInstanceOf(XapiProtocolError);
    expect(error.message).toMatch(/VM\.VCPUs_max: expected an integer, got array/);
  });

  it("refuses an HTTP error status", async () => {
    server.on("VM.get_by_uuid", (response) => response.writeHead(500, { "Content-Type": "text/plain" }).end("Internal Server Error"));
    expect((await failure(client.call("VM.get_by_uuid", "u"))).message).toMatch(/HTTP 500/);
  });

  it("reports a truncated answer (connection closed mid-body)", async () => {
    server.on("VM.get_by_uuid", (response) => {
      const body = success("OpaqueRef:vm");
      response.writeHead(200, { "Content-Type": "text/xml", "Content-Length": body.length });
      // Cut once the first part is on the wire.
      response.write(body.slice(0, 60), () => response.socket?.destroy());
    });
    const error = await failure(client.call("VM.get_by_uuid", "u"));
    expect(error).toBeInstanceOf(XapiProtocolError);
    expect(error.message).toMatch(/truncated/);
  });

  it("reports a truncated document (complete HTTP answer, cut XML)", async () => {
    server.on("VM.get_by_uuid", xml(success("OpaqueRef:vm").slice(0, 120)));
    expect((await failure(client.call("VM.get_by_uuid", "u"))).message).toMatch(/truncated/);
  });

  it("stops reading a gigantic answer at the size limit", async () => {
    let written = 0;
    let closed!: Promise<number>;
    server.on("VM.get_all_records", (response) => {
      response.writeHead(200, { "Content-Type": "text/xml" }); // chunked: no Content-Length to refuse up front
      const chunk = "<member><name>OpaqueRef:x</name><value><struct></struct></value></member>".repeat(1000);
      response.write(
        '<?xml version="1.0"?><methodResponse><params><param><value><struct><member><name>Status</name><value>Success</value></member><member><name>Value</name><value><struct>',
      );
      const pump = () => {
        while (written < 200_000_000) {
          if (response.destroyed) return;
          written += chunk.length;
          if (!response.write(chunk)) return void response.once("drain", pump);
        }
        response.end("</struct></value></member></struct></value></param></params></methodResponse>");
      };
      closed = new Promise((resolve) => response.on("close", () => resolve(written)));
      pump();
    });
    const error = await failure(client.call("VM.get_all_records"));
    expect(error.code).toBe(CLIENT_CODES.tooLarge);
    expect(await closed).toBeLessThan(50_000_000); // the client hung up near its 1 MB limit, not at 200 MB
  });

  it("parses an answer that arrives in small pieces", async () => {
    const records = Array.from(
      { length: 300 },
      (_, i) =>
        `<member><name>OpaqueRef:vm-${i}</name><value><struct><member><name>name_label</name><value>vm ${i} é</value></member></struct></value></member>`,
    );
    const body = Buffer.from(success(`<struct>${records.join("")}</struct>`));
    server.on("VM.get_all_records", (response) => {
      response.writeHead(200, { "Content-Type": "text/xml", "Content-Length": body.length });
      let at = 0;
      const next = () => {
        if (at >= body.length) return void response.end();
        response.write(body.subarray(at, (at += 777)));
        setImmediate(next);
      };
      next();
    });
    const all = (await client.request("VM.get_all_records", [], { decode: false })) as Record<string, { name_label: string }>;
    expect(Object.keys(all)).toHaveLength(300);
    expect(all["OpaqueRef:vm-299"].name_label).toBe("vm 299 é");
  });

  it("gives up on a malformed answer as soon as the fault arrives, without reading the rest", async () => {
    let written = 0;
    let closed!: Promise<number>;
    server.on("VM.get_all_records", (response) => {
      response.writeHead(200, { "Content-Type": "text/xml" });
      const record = "<member><name>OpaqueRef:x</name><value><struct><member><name>a</name><value>1</value></member></struct></value></member>";
      response.write(
        `<?xml version="1.0"?><methodResponse><params><param><value><struct><member><name>Status</name><value>Success</value></member><member><name>Value</name><value><struct>${record}<member><name>OpaqueRef:y</name><value><blob/></value></member>`,
      );
      const chunk = record.repeat(1000);
      const pump = () => {
        while (written < 100_000_000) {
          if (response.destroyed) return;
          written += chunk.length;
          if (!response.write(chunk)) return void response.once("drain", pump);
        }
        response.end();
      };
      closed = new Promise((resolve) => response.on("close", () => resolve(written)));
      pump();
    });
    const big = new XapiClient({ url: server.url, username: "root", password: "secret-password", logger: quiet, maxResponseBytes: 256 * 1024 * 1024 });
    try {
      const error = await failure(big.call("VM.get_all_records"));
      expect(error).toBeInstanceOf(XapiProtocolError);
      expect(error.message).toMatch(/at byte 326: unknown element <blob/);
      expect(await closed).toBeLessThan(20_000_000); // hung up, long before the 100 MB
    } finally {
      await big.close();
    }
  });

  it("refuses at once an answer whose declared length is past the limit", async () => {
    server.on("VM.get_all_records", (response) => {
      response.writeHead(200, { "Content-Type": "text/xml", "Content-Length": 5_000_000_000 });
      response.write("<?xml");
    });
    expect((await failure(client.call("VM.get_all_records"))).code).toBe(CLIENT_CODES.tooLarge);
  });

  it("times out a call that gets no answer, and serves the next one", async () => {
    let hang = true;
    server.on("VM.get_by_uuid", (response) => {
      if (!hang) return xml(success("OpaqueRef:vm"))(response, []);
      // never answers
    });
    const slow = new XapiClient({ url: server.url, username: "root", password: "p", logger: quiet, callTimeoutMs: 300 });
    try {
      const error = await failure(slow.request("VM.get_by_uuid", ["u"], { timeoutMs: 300 }));
      expect(error).toBeInstanceOf(XapiTimeoutError);
      hang = false;
      await expect(slow.call("VM.get_by_uuid", "u")).resolves.toBe("OpaqueRef:vm");
    } finally {
      await slow.close();
    }
  });

  it("reports a refused connection as not sent", async () => {
    const closed = http.createServer();
    await new Promise<void>((resolve) => closed.listen(0, "127.0.0.1", resolve));
    const { port } = closed.address() as AddressInfo;
    await new Promise<void>((resolve) => closed.close(() => resolve()));
    const nowhere = new XapiClient({ url: `http://127.0.0.1:${port}/`, username: "root", password: "secret-password", logger: quiet });
    try {
      const error = await failure(nowhere.call("VM.get_by_uuid", "u"));
      expect(error).toBeInstanceOf(XapiTransportError);
      expect(error).toMatchObject({ errno: "ECONNREFUSED", notSent: true });
    } finally {
      await nowhere.close();
    }
  });

  it("bounds concurrent calls per pool", async () => {
    const held: http.ServerResponse[] = [];
    let peak = 0;
    server.on("VM.get_by_uuid", (response) => {
      held.push(response);
      peak = Math.max(peak, held.length);
    });
    const bounded = new XapiClient({ url: server.url, username: "root", password: "p", logger: quiet, maxConcurrentCalls: 3 });
    try {
      const calls = Promise.all(Array.from({ length: 12 }, () => bounded.call("VM.get_by_uuid", "u")));
      // Answer one call at a time, each once the client has as many in flight as it may.
      for (let answered = 0; answered < 12; answered++) {
        await eventually(() => held.length === Math.min(3, 12 - answered));
        xml(success("OpaqueRef:vm"))(held.shift()!, []);
      }
      await calls;
      expect(peak).toBe(3);
    } finally {
      await bounded.close();
    }
  });

  it("logs out on close and then refuses calls", async () => {
    server.on("VM.get_by_uuid", xml(success("OpaqueRef:vm")));
    await client.call("VM.get_by_uuid", "u");
    await client.close();
    expect(server.calls.at(-1)).toBe("session.logout");
    expect((await failure(client.call("VM.get_by_uuid", "u"))).code).toBe(CLIENT_CODES.closed);
  });
});
