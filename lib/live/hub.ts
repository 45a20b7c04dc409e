/**
 * The live hub: one subscription to the pool registry per server process, fanned out to every open event
 * stream. Each change is resolved once (which object it concerns, and that object's `Securable`), then every
 * subscriber forwards only what its user may view (`can()`, checked per change and per user).
 */
import "server-only";
import { can, type AccessSubject } from "@/lib/access/can";
import { getPoolRegistry, type PoolConnection, type PoolConnectionState, type RegistryEvent } from "@/lib/xapi";
import { PoolLiveObjects, VIEW_ACTION, type LiveObject, type ResolvedChange } from "./live-objects";

/** What a browser receives. Never names an object the user may not view. */
export type LiveMessage =
  | { type: "changes"; pool: string; objects: LiveObject[] }
  | { type: "status"; pool: string; state: PoolConnectionState }
  /** The pool's whole cache was reloaded: re-read everything. */
  | { type: "resync"; pool: string }
  /** A pool registration was added or removed (admins only). */
  | { type: "pools" };

/** Builds the message one user may receive about an event, or null when it concerns nothing they may view. */
export type MessageFor = (user: AccessSubject) => LiveMessage | null;

/** An open stream: it applies `messageFor` to its user's current rights and passes on the result. */
export interface LiveSubscriber {
  offer(messageFor: MessageFor): void;
  /** The server is stopping: end the stream. */
  close(): void;
}

/** True when the user may view at least one object of the pool (then status changes concern them). */
export function seesAnythingIn(user: AccessSubject, connection: PoolConnection): boolean {
  if (user.isAdmin) return true;
  const cache = connection.cache;
  const poolUuid = connection.poolUuid;
  for (const grant of user.grants) {
    switch (grant.objectKind) {
      case "pool":
        if (grant.objectUuid === poolUuid) return true;
        break;
      case "vm":
        if (cache.getByUuid("VM", grant.objectUuid)) return true;
        break;
      case "host":
        if (cache.getByUuid("host", grant.objectUuid)) return true;
        break;
      case "sr":
        if (cache.getByUuid("SR", grant.objectUuid)) return true;
        break;
      case "network":
        if (cache.getByUuid("network", grant.objectUuid)) return true;
        break;
    }
  }
  return false;
}

/** The state of every connected pool the user sees something in (the first frame of a stream). */
export function poolStatesFor(user: AccessSubject): Record<string, PoolConnectionState> {
  const states: Record<string, PoolConnectionState> = {};
  for (const connection of getPoolRegistry().all()) {
    if (seesAnythingIn(user, connection)) states[connection.id] = connection.status.state;
  }
  return states;
}

/** The changes among `resolved` that `user` may view. */
export function visibleObjects(user: AccessSubject, resolved: readonly ResolvedChange[]): LiveObject[] {
  const out: LiveObject[] = [];
  const seen = new Set<string>();
  for (const { object, securable } of resolved) {
    const key = `${object.kind}:${object.uuid}`;
    if (seen.has(key) || !can(user, VIEW_ACTION[securable.kind], securable)) continue;
    seen.add(key);
    out.push(object);
  }
  return out;
}

class LiveHub {
  private readonly subscribers = new Set<LiveSubscriber>();
  private readonly objects = new Map<string, PoolLiveObjects>();
  private unsubscribe: (() => void) | null = null;

  add(subscriber: LiveSubscriber): () => void {
    this.subscribers.add(subscriber);
    this.unsubscribe ??= getPoolRegistry().subscribe((poolId, event) => this.dispatch(poolId, event));
    return () => this.remove(subscriber);
  }

  closeAll(): void {
    for (const subscriber of [...this.subscribers]) subscriber.close();
    this.subscribers.clear();
    this.stopListening();
  }

  private remove(subscriber: LiveSubscriber): void {
    this.subscribers.delete(subscriber);
    if (this.subscribers.size === 0) this.stopListening();
  }

  /** Nobody listens: drop the registry subscription and the remembered objects (they would go stale). */
  private stopListening(): void {
    this.unsubscribe?.();
    this.unsubscribe = null;
    this.objects.clear();
  }

  private liveObjects(poolId: string, connection: PoolConnection): PoolLiveObjects {
    let objects = this.objects.get(poolId);
    if (!objects) {
      objects = new PoolLiveObjects(connection.cache, () => connection.poolUuid ?? "", connection.tasks);
      this.objects.set(poolId, objects);
    }
    return objects;
  }

  private dispatch(poolId: string, event: RegistryEvent): void {
    if (event.type === "added" || event.type === "removed") {
      this.objects.delete(poolId);
      this.broadcast((user) => (user.isAdmin ? { type: "pools" } : null));
      return;
    }
    const connection = getPoolRegistry().get(poolId);
    if (!connection) return;
    switch (event.type) {
      case "changes": {
        const resolved = this.liveObjects(poolId, connection).resolve(event.changes);
        if (resolved.length === 0) return;
        this.broadcast((user) => {
          const objects = visibleObjects(user, resolved);
          return objects.length > 0 ? { type: "changes", pool: poolId, objects } : null;
        });
        return;
      }
      case "resync":
        this.objects.get(poolId)?.rebuild();
        this.broadcast((user) => (seesAnythingIn(user, connection) ? { type: "resync", pool: poolId } : null));
        return;
      case "status":
        this.broadcast((user) => (seesAnythingIn(user, connection) ? { type: "status", pool: poolId, state: event.status.state } : null));
        return;
    }
  }

  private broadcast(messageFor: MessageFor): void {
    for (const subscriber of this.subscribers) subscriber.offer(messageFor);
  }
}

const GLOBAL_KEY = Symbol.for("xendeck.inventory.liveHub");
type GlobalWithHub = typeof globalThis & { [GLOBAL_KEY]?: LiveHub };

function hub(): LiveHub {
  const holder = globalThis as GlobalWithHub;
  return (holder[GLOBAL_KEY] ??= new LiveHub());
}

/** Registers a stream; returns the function that unregisters it. */
export function addLiveSubscriber(subscriber: LiveSubscriber): () => void {
  return hub().add(subscriber);
}

/** Server shutdown: ends every open stream (browsers reconnect to the next server). */
export function closeLiveStreams(): void {
  hub().closeAll();
}
