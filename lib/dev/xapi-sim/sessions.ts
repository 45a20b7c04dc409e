/**
 * Sessions: `session.login_with_password` (2 or 4 parameters) against the simulator's credentials,
 * `SESSION_AUTHENTICATION_FAILED [user, message]`, `session.logout`, expiry after `sessionTtlMs` of
 * inactivity, and `SESSION_INVALID [ref]` for anything unknown or expired. Session records never appear in
 * events (their refs are credentials) and the number kept is bounded.
 */
import { timingSafeEqual } from "node:crypto";
import type { SessionRecord } from "@/lib/xapi/model/records.generated";
import { XapiError } from "./errors";
import type { SimPool } from "./pool";
import { NULL_REF } from "./protocol/xapi-types";
import type { MessageRegistry } from "./registry";
import type { StoredObject } from "./store";

type Session = StoredObject<SessionRecord>;

/** When a client leaks sessions, the least recently used go first (XAPI does the same). */
const MAX_SESSIONS = 2000;

export class SessionService {
  private readonly destroyedListeners: ((ref: string) => void)[] = [];

  constructor(private readonly pool: SimPool) {}

  login(uname: string, pwd: string, originator: string): Session {
    const { username, password } = this.pool.core.options;
    if (!(sameText(uname, username) && sameText(pwd, password))) {
      throw new XapiError("SESSION_AUTHENTICATION_FAILED", [uname, "Authentication failure"]);
    }
    const store = this.pool.store;
    if (store.count("session") >= MAX_SESSIONS) this.evictOldest();
    const now = new Date();
    return store.add<SessionRecord>("session", {
      this_host: this.pool.masterRef,
      this_user: NULL_REF,
      last_active: now,
      pool: false,
      other_config: {},
      is_local_superuser: true,
      subject: NULL_REF,
      validation_time: now,
      auth_user_sid: "",
      auth_user_name: uname,
      rbac_permissions: [],
      tasks: [],
      parent: NULL_REF,
      originator,
      client_certificate: false,
    });
  }

  /** The live session `ref`, or null. Expired sessions are destroyed on the way. */
  find(ref: string): Session | undefined {
    const session = this.pool.store.getOf<SessionRecord>("session", ref);
    if (!session) return undefined;
    if (Date.now() - session.rec.last_active.getTime() > this.pool.core.options.sessionTtlMs) {
      this.destroy(session);
      return undefined;
    }
    return session;
  }

  /** Validates the session of a call and marks it active. */
  validate(ref: string): Session {
    const session = this.find(ref);
    if (!session) throw new XapiError("SESSION_INVALID", [ref]);
    // Sessions are not evented: refresh in place instead of bumping the event generation.
    session.rec.last_active = new Date();
    session.invalidate();
    return session;
  }

  destroy(session: Session): void {
    if (session.dtime) return;
    this.pool.store.remove(session);
    for (const listener of this.destroyedListeners) listener(session.ref);
  }

  /** Fault injection: every session of the pool becomes invalid. */
  expireAll(): number {
    const all = [...this.pool.store.all<SessionRecord>("session")];
    for (const session of all) this.destroy(session);
    return all.length;
  }

  onDestroyed(listener: (ref: string) => void): void {
    this.destroyedListeners.push(listener);
  }

  private evictOldest(): void {
    let oldest: Session | undefined;
    for (const s of this.pool.store.all<SessionRecord>("session")) {
      if (!oldest || s.rec.last_active < oldest.rec.last_active) oldest = s;
    }
    if (oldest) this.destroy(oldest);
  }
}

function sameText(a: string, b: string): boolean {
  const x = Buffer.from(a);
  const y = Buffer.from(b);
  return x.length === y.length && timingSafeEqual(x, y);
}

export function sessionMessages(r: MessageRegistry): void {
  r.define(
    "session.login_with_password",
    (ctx, [uname, pwd, , originator]) => ctx.pool.sessions.login(String(uname), String(pwd), originator === undefined ? "" : String(originator)).ref,
  );
  r.define("session.logout", (ctx) => {
    if (ctx.session) ctx.pool.sessions.destroy(ctx.session);
  });
  r.define("session.local_logout", (ctx) => {
    if (ctx.session) ctx.pool.sessions.destroy(ctx.session);
  });
  r.define("session.get_all_subject_identifiers", () => []);
}
