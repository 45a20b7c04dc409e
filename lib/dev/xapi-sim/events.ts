/**
 * Events with XAPI's semantics. `event.from(classes, token, timeout)`: tokens are
 * `%020d,%020d` strings (generation, message generation) that compare in order; `""` delivers every object
 * as `add`; changes since the token are read from the store's change log (no scan of every object) and
 * coalesced per object (add+mod = add, add+del = nothing); the call blocks until something matches or the
 * timeout passes. Class filters: `*`, a class name (any case) or `class/ref`. `valid_ref_counts` counts
 * every table. Also `event.inject`, `event.get_current_id` and the legacy `register`/`next`/`unregister`.
 */
import type { SessionRecord } from "@/lib/xapi/model/records.generated";
import { XapiError } from "./errors";
import type { SimPool } from "./pool";
import { ByteWriter, bytesOf } from "./protocol/byte-writer";
import type { Encodable, Part } from "./protocol/encodable";
import type { MessageRegistry } from "./registry";
import { SERVED_CLASSES } from "./records";
import type { AnyObject, StoredObject } from "./store";

export type EventOperation = "add" | "mod" | "del";

export interface SimEvent {
  op: EventOperation;
  obj: AnyObject;
}

export interface Subscription {
  all: boolean;
  classes: Set<string>;
  /** `class/ref` with the class in lower case. */
  objects: Set<string>;
}

export function parseSubscription(classes: readonly string[]): Subscription {
  const sub: Subscription = { all: false, classes: new Set(), objects: new Set() };
  for (const entry of classes) {
    if (entry === "*") sub.all = true;
    else {
      const slash = entry.indexOf("/");
      if (slash < 0) sub.classes.add(entry.toLowerCase());
      else sub.objects.add(`${entry.slice(0, slash).toLowerCase()}/${entry.slice(slash + 1)}`);
    }
  }
  return sub;
}

function matches(sub: Subscription, obj: AnyObject): boolean {
  if (!obj.cls.evented) return false;
  return sub.all || sub.classes.has(obj.cls.lower) || (sub.objects.size > 0 && sub.objects.has(`${obj.cls.lower}/${obj.ref}`));
}

const pad = (n: number) => String(n).padStart(20, "0");

export function formatToken(gen: number): string {
  return `${pad(gen)},${pad(0)}`;
}

export function parseToken(token: string): number {
  if (token === "") return 0;
  const m = /^(\d{1,20})(?:,(\d{1,20}))?$/.exec(token);
  const gen = m ? Number(m[1]) : NaN;
  if (!Number.isSafeInteger(gen)) throw new XapiError("EVENT_FROM_TOKEN_PARSE_FAILURE", [token]);
  return gen;
}

interface Waiter {
  sessionRef: string;
  sub: Subscription;
  since: number;
  settle: (result: SimEvent[] | XapiError) => void;
}

interface Registration {
  sub: Subscription;
  since: number;
}

/** The largest timeout honoured, in seconds: a day (clients use 60 s). */
const MAX_TIMEOUT_S = 24 * 3600;

export class EventHub {
  private readonly waiters = new Set<Waiter>();
  private readonly registrations = new Map<string, Registration>();
  private flushScheduled = false;

  constructor(private readonly pool: SimPool) {
    pool.store.onChange((obj) => {
      if (obj.cls.evented && this.waiters.size > 0) this.scheduleFlush();
    });
    pool.sessions.onDestroyed((ref) => {
      this.registrations.delete(ref);
      for (const waiter of [...this.waiters]) {
        if (waiter.sessionRef === ref) waiter.settle(new XapiError("SESSION_INVALID", [ref]));
      }
    });
  }

  /** `event.from`. Resolves with a batch to encode. */
  async from(sessionRef: string, classes: string[], token: string, timeoutS: number, signal: AbortSignal): Promise<EventBatch> {
    const since = parseToken(token);
    const sub = parseSubscription(classes);
    const now = this.collect(sub, since);
    if (now.length > 0 || !(timeoutS > 0)) return this.batch(now);
    const events = await this.wait(sessionRef, sub, since, Math.min(timeoutS, MAX_TIMEOUT_S) * 1000, signal);
    return this.batch(events);
  }

  /** Touches the object so that a following `event.from` with the returned token sees it. */
  inject(className: string, ref: string): string {
    const obj = this.pool.store.get(ref);
    if (!obj || obj.cls.lower !== className.toLowerCase()) throw new XapiError("HANDLE_INVALID", [className, ref]);
    const before = this.pool.store.gen;
    this.pool.store.touch(obj);
    return formatToken(before);
  }

  register(sessionRef: string, classes: string[]): void {
    const current = this.registrations.get(sessionRef);
    const added = parseSubscription(classes);
    if (!current) {
      this.registrations.set(sessionRef, { sub: added, since: this.pool.store.gen });
      return;
    }
    current.sub.all ||= added.all;
    for (const c of added.classes) current.sub.classes.add(c);
    for (const o of added.objects) current.sub.objects.add(o);
  }

  unregister(sessionRef: string, classes: string[]): void {
    const current = this.registrations.get(sessionRef);
    if (!current) return;
    const removed = parseSubscription(classes);
    if (removed.all) current.sub.all = false;
    for (const c of removed.classes) current.sub.classes.delete(c);
    for (const o of removed.objects) current.sub.objects.delete(o);
  }

  /** Legacy `event.next`: blocks until something the session registered for changes. */
  async next(sessionRef: string, signal: AbortSignal): Promise<NextBatch> {
    const reg = this.registrations.get(sessionRef);
    if (!reg) throw new XapiError("SESSION_NOT_REGISTERED", [sessionRef]);
    let events = this.collect(reg.sub, reg.since);
    if (events.length === 0) events = await this.wait(sessionRef, reg.sub, reg.since, MAX_TIMEOUT_S * 1000, signal);
    reg.since = this.pool.store.gen;
    return new NextBatch(events);
  }

  /** What changed since generation `since` for this subscription, coalesced per object. */
  collect(sub: Subscription, since: number): SimEvent[] {
    const store = this.pool.store;
    const events: SimEvent[] = [];
    if (since === 0) {
      const classes = sub.all ? store.classNames() : store.classNames().filter((c) => sub.classes.has(c.toLowerCase()));
      for (const cls of classes) {
        for (const obj of store.all(cls)) if (obj.cls.evented) events.push({ op: "add", obj });
      }
      for (const key of sub.objects) {
        const obj = store.get(key.slice(key.indexOf("/") + 1));
        if (obj && obj.cls.evented && !classes.includes(obj.cls.name) && key.startsWith(`${obj.cls.lower}/`)) {
          events.push({ op: "add", obj });
        }
      }
      return events;
    }
    for (const obj of store.changesSince(since)) {
      if (!matches(sub, obj)) continue;
      const created = obj.ctime > since;
      if (obj.dtime) {
        if (!created) events.push({ op: "del", obj });
      } else {
        events.push({ op: created ? "add" : "mod", obj });
      }
    }
    return events;
  }

  private wait(sessionRef: string, sub: Subscription, since: number, ms: number, signal: AbortSignal): Promise<SimEvent[]> {
    const timers = this.pool.core.timers;
    return new Promise<SimEvent[]>((resolve, reject) => {
      const waiter: Waiter = {
        sessionRef,
        sub,
        since,
        settle: (result) => {
          this.waiters.delete(waiter);
          timers.clear(timer);
          signal.removeEventListener("abort", onAbort);
          if (result instanceof XapiError) reject(result);
          else resolve(result);
        },
      };
      const onAbort = () => waiter.settle([]);
      // Whatever changed since, even if its flush has not run yet: the batch's token is the store's generation
      // now, so an event left out here would be skipped for good (and the counts would not match).
      const timer = timers.setTimeout(() => waiter.settle(this.collect(waiter.sub, waiter.since)), ms);
      signal.addEventListener("abort", onAbort, { once: true });
      this.waiters.add(waiter);
    });
  }

  private scheduleFlush(): void {
    if (this.flushScheduled) return;
    this.flushScheduled = true;
    // Let the whole synchronous change (a VM start touches several objects) land in one batch.
    this.pool.core.timers.setTimeout(() => {
      this.flushScheduled = false;
      for (const waiter of [...this.waiters]) {
        const events = this.collect(waiter.sub, waiter.since);
        if (events.length > 0) waiter.settle(events);
        // Nothing relevant so far: the next look starts from here (as xapi moves its last generation).
        else waiter.since = this.pool.store.gen;
      }
    }, 0);
  }

  private batch(events: SimEvent[]): EventBatch {
    const counts: [string, number][] = SERVED_CLASSES.map((c) => [c.toLowerCase(), this.pool.store.count(c)]);
    return new EventBatch(events, counts, formatToken(this.pool.store.gen));
  }
}

/** Event heads and batch framing are written here, between the cached record fragments. */
const batchWriter = new ByteWriter();

const X = {
  batchStart: bytesOf("<value><struct><member><name>events</name><value><array><data>"),
  eventStart: bytesOf("<value><struct><member><name>id</name><value>"),
  eventTimestamp: bytesOf("</value></member><member><name>timestamp</name><value>0.0</value></member><member><name>class</name><value>"),
  eventOperation: bytesOf("</value></member><member><name>operation</name><value>"),
  eventRef: bytesOf("</value></member><member><name>ref</name><value>"),
  snapshot: bytesOf("</value></member><member><name>snapshot</name>"),
  eventEnd: bytesOf("</member></struct></value>"),
  delEnd: bytesOf("</value></member></struct></value>"),
};

const J = {
  eventStart: bytesOf('{"id":'),
  eventClass: bytesOf(',"timestamp":"0.0","class":'),
  eventOperation: bytesOf(',"operation":'),
  eventRef: bytesOf(',"ref":'),
  snapshot: bytesOf(',"snapshot":'),
  eventEnd: bytesOf("}"),
  comma: bytesOf(","),
};

/**
 * Writes the events: each head goes into the batch writer, and the writer's bytes are taken out as one part
 * just before a record's cached fragment, so a batch is a few parts per event and no record is copied.
 */
function eventsXml(events: readonly SimEvent[], out: Part[], start: Uint8Array): void {
  const w = batchWriter;
  w.bytes(start);
  for (const { op, obj } of events) {
    w.bytes(X.eventStart);
    w.ascii(String(obj.lastGen));
    w.bytes(X.eventTimestamp);
    w.xmlText(obj.cls.lower);
    w.bytes(X.eventOperation);
    w.ascii(op);
    w.bytes(X.eventRef);
    w.xmlText(obj.ref);
    if (op === "del") {
      w.bytes(X.delEnd);
    } else {
      w.bytes(X.snapshot);
      out.push(w.take(), obj.xml());
      w.bytes(X.eventEnd);
    }
  }
  out.push(w.take());
}

function eventsJson(events: readonly SimEvent[], out: Part[], start: Uint8Array, quotedIds: boolean): void {
  const w = batchWriter;
  w.bytes(start);
  events.forEach(({ op, obj }, i) => {
    if (i > 0) w.bytes(J.comma);
    w.bytes(J.eventStart);
    w.ascii(quotedIds ? `"${obj.lastGen}"` : String(obj.lastGen));
    w.bytes(J.eventClass);
    w.jsonString(obj.cls.lower);
    w.bytes(J.eventOperation);
    w.jsonString(op);
    w.bytes(J.eventRef);
    w.jsonString(obj.ref);
    if (op !== "del") {
      w.bytes(J.snapshot);
      out.push(w.take(), obj.json());
    }
    w.bytes(J.eventEnd);
  });
  out.push(w.take());
}

/** The result of `event.from`: `{events, valid_ref_counts, token}`, written piece by piece. */
export class EventBatch implements Encodable {
  constructor(
    readonly events: SimEvent[],
    private readonly counts: [string, number][],
    readonly token: string,
  ) {}

  xmlParts(out: Part[]): void {
    eventsXml(this.events, out, X.batchStart);
    let counts = "";
    for (const [cls, n] of this.counts) counts += `<member><name>${cls}</name><value><i4>${n}</i4></value></member>`;
    out.push(
      `</data></array></value></member><member><name>valid_ref_counts</name><value><struct>${counts}</struct></value></member><member><name>token</name><value>${this.token}</value></member></struct></value>`,
    );
  }

  jsonParts(out: Part[]): void {
    eventsJson(this.events, out, bytesOf('{"events":['), true);
    out.push(`],"valid_ref_counts":{${this.counts.map(([c, n]) => `"${c}":${n}`).join(",")}},"token":"${this.token}"}`);
  }
}

/** The result of the legacy `event.next`: a set of event records with integer ids. */
class NextBatch implements Encodable {
  constructor(private readonly events: SimEvent[]) {}

  xmlParts(out: Part[]): void {
    eventsXml(this.events, out, bytesOf("<value><array><data>"));
    out.push("</data></array></value>");
  }

  jsonParts(out: Part[]): void {
    eventsJson(this.events, out, bytesOf("["), false);
    out.push("]");
  }
}

export function eventMessages(r: MessageRegistry): void {
  const sessionRef = (session: StoredObject<SessionRecord> | undefined) => session?.ref ?? "";
  r.define("event.from", (ctx, [classes, token, timeout]) =>
    ctx.pool.events.from(sessionRef(ctx.session), classes as string[], String(token), Number(timeout), ctx.signal),
  );
  r.define("event.inject", (ctx, [cls, ref]) => ctx.pool.events.inject(String(cls), String(ref)));
  r.define("event.get_current_id", (ctx) => ctx.pool.store.gen);
  r.define("event.register", (ctx, [classes]) => ctx.pool.events.register(sessionRef(ctx.session), classes as string[]));
  r.define("event.unregister", (ctx, [classes]) => ctx.pool.events.unregister(sessionRef(ctx.session), classes as string[]));
  r.define("event.next", (ctx) => ctx.pool.events.next(sessionRef(ctx.session), ctx.signal));
}
