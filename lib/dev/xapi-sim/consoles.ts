/**
 * The simulator's console service, as each XAPI host serves `/console` for the domains it runs:
 *
 * - `CONNECT /console?uuid=<console or VM uuid>` (or `?ref=`) answers `HTTP/1.1 200 OK`, then the socket carries
 *   the console's protocol (RFB, or raw text for vt100); a `GET` websocket upgrade does the same over binary
 *   websocket messages, answering `Sec-WebSocket-Protocol: binary` as XAPI does (a client must offer it).
 * - The XAPI session comes from the `session_id` cookie or query parameter: missing or invalid → 401. A console
 *   that does not exist, or whose VM is not running on the host that received the request → 500 (XAPI raises
 *   `Failure` there), as do malformed requests.
 * - Each running domain has one simulated guest (console-guest.ts) behind its consoles: its screen (RFB) is
 *   720×400, 800×600 or 1024×768, the next size at each new domain of the VM (a reboot). When the
 *   domain goes (halt, suspend, reboot, migration) its connections close, as qemu's do.
 * - What was typed into each VM's consoles is kept (bounded) for the control API and tests.
 */
import type { IncomingMessage } from "node:http";
import type { Duplex } from "node:stream";
import { createWebSocketStream, WebSocketServer } from "ws";
import type { ConsoleRecord, HostRecord, VmGuestMetricsRecord, VmMetricsRecord, VmRecord } from "@/lib/xapi/model/records.generated";
import { guestHostname, SimGuest, type GuestIdentity } from "./console-guest";
import { RfbServerSession } from "./console-rfb";
import { TextScreen } from "./console-screen";
import { Vt100Session } from "./console-vt100";
import type { SimCore } from "./core";
import type { SimPool } from "./pool";
import type { AnyObject, StoredObject } from "./store";

/** Screen sizes: each new domain of a VM (a reboot) takes the next one, so its console changes size. */
const SCREEN_MODES: readonly [number, number][] = [
  [720, 400],
  [800, 600],
  [1024, 768],
];
/** How long a guest's boot log takes at speed 1. */
const BOOT_MS = 4000;
/** Typed characters kept per VM. */
const TYPED_MAX = 16 * 1024;

const KEYSYM = {
  backspace: 0xff08,
  tab: 0xff09,
  enter: 0xff0d,
  keypadEnter: 0xff8d,
  escape: 0xff1b,
  delete: 0xffff,
  controlLeft: 0xffe3,
  controlRight: 0xffe4,
  altLeft: 0xffe9,
  altRight: 0xffea,
} as const;

/** The part of a host listener the console service needs. */
export interface ConsoleEndpoint {
  pool: SimPool;
  hostRef: string;
  state: "up" | "refuse" | "hang";
}

/** What the control API shows of a VM's console. */
export interface ConsoleView {
  /** Everything typed into the VM's consoles, oldest first (bounded; Enter is "\r"). */
  typed: string;
  ctrlAltDel: number;
  /** The running domain's console, if a client connected to it since it started. */
  screen: { width: number; height: number; lines: string[]; connections: number } | null;
}

/** What is kept about a VM across its domains: what was typed, and the screen mode of its last domain. */
interface TypedLog {
  text: string;
  ctrlAltDel: number;
  screen?: { domid: number; mode: number };
}

class DomainConsole {
  readonly guest: SimGuest;
  readonly screen: TextScreen;
  readonly sessions = new Set<{ close(reason: string): void; consoleRef: string }>();
  private readonly modifiers = new Set<number>();

  constructor(
    readonly vmRef: string,
    readonly domid: number,
    identity: GuestIdentity,
    bootMs: number,
    core: SimCore,
    private readonly log: TypedLog,
  ) {
    const last = log.screen;
    const mode = !last ? Math.abs(domid) % SCREEN_MODES.length : last.domid === domid ? last.mode : (last.mode + 1) % SCREEN_MODES.length;
    log.screen = { domid, mode };
    const [width, height] = SCREEN_MODES[mode]!;
    this.screen = new TextScreen(width, height);
    this.guest = new SimGuest(identity, {
      bootMs,
      timers: core.timers,
      onInput: (text) => {
        log.text = (log.text + text).slice(-TYPED_MAX);
      },
    });
    this.screen.write(this.guest.recentOutput());
    this.guest.attach((text) => this.screen.write(text));
  }

  /** A key from an RFB client (X11 keysym), turned into what a terminal would receive. */
  key(keysym: number, down: boolean): void {
    if (!down) {
      this.modifiers.delete(keysym);
      return;
    }
    if ([KEYSYM.controlLeft, KEYSYM.controlRight, KEYSYM.altLeft, KEYSYM.altRight].includes(keysym as never)) {
      this.modifiers.add(keysym);
      return;
    }
    const control = this.modifiers.has(KEYSYM.controlLeft) || this.modifiers.has(KEYSYM.controlRight);
    const alt = this.modifiers.has(KEYSYM.altLeft) || this.modifiers.has(KEYSYM.altRight);
    if (keysym === KEYSYM.delete && control && alt) {
      this.log.ctrlAltDel++;
      this.guest.ctrlAltDel();
      return;
    }
    const char = keysymToChar(keysym);
    if (char === null) return;
    if (control && /^[a-z]$/i.test(char)) this.guest.type(String.fromCharCode(char.toLowerCase().charCodeAt(0) - 96));
    else this.guest.type(char);
  }

  close(reason: string): void {
    for (const session of [...this.sessions]) session.close(reason);
    this.guest.stop();
  }
}

/** The character an X11 keysym types, or null for keys that type nothing (modifiers, function keys). */
export function keysymToChar(keysym: number): string | null {
  if ((keysym >= 0x20 && keysym <= 0x7e) || (keysym >= 0xa0 && keysym <= 0xff)) return String.fromCharCode(keysym);
  if (keysym >= 0x01000100 && keysym <= 0x0110ffff) return String.fromCodePoint(keysym - 0x01000000);
  switch (keysym) {
    case KEYSYM.enter:
    case KEYSYM.keypadEnter:
      return "\r";
    case KEYSYM.backspace:
      return "\b";
    case KEYSYM.tab:
      return "\t";
    default:
      return null;
  }
}

export class ConsoleService {
  /** Running domains that have (had) a console client, by pool index then VM ref. */
  private readonly domains = new Map<SimPool, Map<string, DomainConsole>>();
  /** What was typed, by VM uuid (it outlives domains: a test types, reboots, then reads). */
  private readonly typed = new Map<string, TypedLog>();
  private readonly websockets = new WebSocketServer({ noServer: true, perMessageDeflate: false, maxPayload: 1024 * 1024 });

  constructor(private readonly core: SimCore) {
    // XAPI's websocket proxy speaks "binary" whatever the client offered.
    this.websockets.on("headers", (headers) => {
      if (!headers.some((line) => /^sec-websocket-protocol:/i.test(line))) headers.push("Sec-WebSocket-Protocol: binary");
    });
    for (const pool of core.pools) pool.store.onChange((obj) => this.objectChanged(pool, obj));
  }

  /** A CONNECT or websocket upgrade received by a host. */
  accept(endpoint: ConsoleEndpoint, request: IncomingMessage, socket: Duplex, head: Buffer, kind: "connect" | "upgrade"): void {
    socket.on("error", () => socket.destroy());
    // A hung host accepts and never answers; its sockets are dropped when it comes back.
    if (endpoint.state === "hang") return;
    let url: URL;
    try {
      url = new URL(request.url ?? "/", "http://console.invalid");
    } catch {
      return refuse(socket, 400, "Bad Request");
    }
    if (url.pathname !== "/console") return refuse(socket, 404, "Not Found");
    const { pool } = endpoint;
    const sessionRef = cookie(request.headers.cookie, "session_id") ?? url.searchParams.get("session_id");
    if (!sessionRef || !pool.sessions.find(sessionRef)) return refuse(socket, 401, "Unauthorized", { "WWW-Authenticate": 'Basic realm="xapi"' });
    const console = this.findConsole(pool, url);
    const vm = console && pool.store.getOf<VmRecord>("VM", console.rec.VM);
    if (!console || !vm || vm.rec.power_state !== "Running" || vm.rec.resident_on !== endpoint.hostRef) return refuse(socket, 500, "Internal Server Error");
    const domain = this.domainOf(pool, vm);

    if (kind === "connect") {
      socket.write("HTTP/1.1 200 OK\r\nConnection: keep-alive\r\nCache-Control: no-cache, no-store\r\n\r\n");
      if (head.length > 0) socket.unshift(head);
      return this.attach(domain, console, socket);
    }
    this.websockets.handleUpgrade(request, socket, head, (websocket) => {
      websocket.binaryType = "nodebuffer";
      this.attach(domain, console, createWebSocketStream(websocket));
    });
  }

  /** What the control API shows for a VM (by its ref and uuid). */
  view(pool: SimPool, vm: AnyObject): ConsoleView {
    const log = this.typed.get(vm.uuid) ?? { text: "", ctrlAltDel: 0 };
    const domain = this.domains.get(pool)?.get(vm.ref);
    return {
      typed: log.text,
      ctrlAltDel: log.ctrlAltDel,
      screen: domain ? { width: domain.screen.width, height: domain.screen.height, lines: domain.screen.lines(), connections: domain.sessions.size } : null,
    };
  }

  /** Open console connections of the whole simulator. */
  get connectionCount(): number {
    let count = 0;
    for (const domains of this.domains.values()) for (const domain of domains.values()) count += domain.sessions.size;
    return count;
  }

  // -------------------------------------------------------------------------------------------------------

  private findConsole(pool: SimPool, url: URL): StoredObject<ConsoleRecord> | undefined {
    const store = pool.store;
    const uuid = url.searchParams.get("uuid");
    const ref = url.searchParams.get("ref");
    const target = uuid ? (store.byUuidOf("VM", uuid) ?? store.byUuidOf("console", uuid)) : ref ? store.get(ref) : undefined;
    if (!target) return undefined;
    if (target.cls.name === "console") return target as unknown as StoredObject<ConsoleRecord>;
    if (target.cls.name !== "VM") return undefined;
    // A VM: its default console, the graphical one.
    for (const consoleRef of (target.rec as unknown as VmRecord).consoles) {
      const candidate = store.getOf<ConsoleRecord>("console", consoleRef);
      if (candidate?.rec.protocol === "rfb") return candidate;
    }
    return undefined;
  }

  private domainOf(pool: SimPool, vm: StoredObject<VmRecord>): DomainConsole {
    let domains = this.domains.get(pool);
    if (!domains) this.domains.set(pool, (domains = new Map()));
    const existing = domains.get(vm.ref);
    if (existing && existing.domid === vm.rec.domid) return existing;
    existing?.close("domain replaced");
    let log = this.typed.get(vm.uuid);
    if (!log) this.typed.set(vm.uuid, (log = { text: "", ctrlAltDel: 0 }));
    const domain = new DomainConsole(vm.ref, vm.rec.domid, this.identity(pool, vm), this.bootRemaining(pool, vm), this.core, log);
    domains.set(vm.ref, domain);
    return domain;
  }

  private identity(pool: SimPool, vm: StoredObject<VmRecord>): GuestIdentity {
    if (vm.rec.is_control_domain) {
      const host = pool.store.getOf<HostRecord>("host", vm.rec.resident_on);
      const version = host?.rec.software_version ?? {};
      return {
        kind: "host",
        uuid: host?.uuid ?? vm.uuid,
        hostname: host?.rec.hostname || guestHostname(host?.rec.name_label ?? "host"),
        osName: `${version.product_brand ?? "XCP-ng"} ${version.product_version ?? ""}`.trim(),
      };
    }
    const metrics = pool.store.getOf<VmGuestMetricsRecord>("VM_guest_metrics", vm.rec.guest_metrics);
    return { kind: "vm", uuid: vm.uuid, hostname: guestHostname(vm.rec.name_label), osName: metrics?.rec.os_version.name || "Linux" };
  }

  /** What is left of the boot log's duration for a domain that started recently (0 for one up for a while). */
  private bootRemaining(pool: SimPool, vm: StoredObject<VmRecord>): number {
    if (vm.rec.is_control_domain) return 0;
    const metrics = pool.store.getOf<VmMetricsRecord>("VM_metrics", vm.rec.metrics);
    const bootMs = BOOT_MS * this.core.options.speed;
    const elapsed = metrics ? Date.now() - metrics.rec.start_time.getTime() : bootMs;
    return Math.max(0, Math.min(bootMs, bootMs - elapsed));
  }

  private attach(domain: DomainConsole, console: StoredObject<ConsoleRecord>, stream: Duplex): void {
    const entry = { consoleRef: console.ref, close: (reason: string) => session.close(reason) };
    // Added first: a stream that is already gone closes the session while it is being built.
    domain.sessions.add(entry);
    const onClose = () => domain.sessions.delete(entry);
    const { identity } = domain.guest;
    const session =
      console.rec.protocol === "vt100"
        ? new Vt100Session(stream, domain.guest, onClose)
        : new RfbServerSession(stream, {
            name: identity.kind === "host" ? `${identity.hostname} console` : identity.hostname,
            framebuffer: domain.screen,
            input: { key: (keysym, down) => domain.key(keysym, down) },
            onClose,
          });
  }

  /** Domains that end take their console connections with them. */
  private objectChanged(pool: SimPool, obj: AnyObject): void {
    const domains = this.domains.get(pool);
    if (!domains || domains.size === 0) return;
    if (obj.cls.name === "console" && obj.dtime) {
      const domain = domains.get((obj.rec as unknown as ConsoleRecord).VM);
      for (const session of [...(domain?.sessions ?? [])]) if (session.consoleRef === obj.ref) session.close("console destroyed");
      return;
    }
    if (obj.cls.name !== "VM") return;
    const domain = domains.get(obj.ref);
    const vm = obj.rec as unknown as VmRecord;
    if (domain && (obj.dtime || vm.domid !== domain.domid || (vm.power_state !== "Running" && vm.power_state !== "Paused"))) {
      domains.delete(obj.ref);
      domain.close("domain ended");
    }
  }
}

function refuse(socket: Duplex, status: number, text: string, headers: Record<string, string> = {}): void {
  const lines = [`HTTP/1.1 ${status} ${text}`, "Connection: close", "Content-Type: text/plain", `Content-Length: ${text.length}`];
  for (const [name, value] of Object.entries(headers)) lines.push(`${name}: ${value}`);
  socket.end(`${lines.join("\r\n")}\r\n\r\n${text}`);
}

/** One cookie's value from a Cookie header. */
function cookie(header: string | undefined, name: string): string | null {
  for (const part of (header ?? "").split(";")) {
    const [key, ...value] = part.trim().split("=");
    if (key !== name) continue;
    try {
      return decodeURIComponent(value.join("="));
    } catch {
      return null;
    }
  }
  return null;
}
