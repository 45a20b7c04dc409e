/**
 * The task feed of a `PoolConnection`'s client: tasks are a cached class (`cached-fields.ts`), so the
 * connection's one `event.from` loop already receives every change of them; the connection hands each applied
 * batch and each full load to this feed, which passes the watched tasks' new records on to `callAsync`.
 *
 * No update is missed: a watched task is taken from the cache when it is watched (a change already applied) and
 * then from every batch (a change applied later). After a full load (a resync, possibly after the pool was
 * unreachable), a watched task missing from the cache is read once: it may have been created after the load
 * read the tasks (its events follow), or have vanished meanwhile, as when the pool's toolstack restarted.
 */
import type { CacheChange, PoolCache } from "./cache";
import type { XapiClient, XapiLogger } from "./client";
import type { XapiError } from "./errors";
import type { Ref } from "./model/records.generated";
import { TaskWatchers, type TaskFeed, type TaskSnapshot, type TaskWatch } from "./task-watchers";

export class CachedTaskFeed implements TaskFeed {
  private readonly watchers: TaskWatchers;

  constructor(
    private readonly cache: PoolCache,
    /** The connection's client (for the one read after a full load); a function, since it is created after the feed. */
    private readonly client: () => XapiClient,
    logger: XapiLogger,
    label: string,
  ) {
    this.watchers = new TaskWatchers(logger, label);
  }

  watch(ref: Ref, onUpdate: (task: TaskSnapshot) => void): TaskWatch {
    const watch = this.watchers.watch(ref, onUpdate);
    const task = this.cache.get("task", ref);
    if (task) this.watchers.update(ref, task);
    return watch;
  }

  /** After the connection applied an event batch to the cache. */
  applied(changes: readonly CacheChange[]): void {
    if (this.watchers.size === 0) return;
    for (const change of changes) {
      if (change.class !== "task" || !this.watchers.has(change.ref)) continue;
      const task = this.cache.get("task", change.ref);
      if (change.operation === "del" || !task) this.watchers.destroyed(change.ref);
      else this.watchers.update(change.ref, task);
    }
  }

  /** After the connection loaded the whole cache again. */
  reloaded(): void {
    for (const ref of this.watchers.refs()) {
      const task = this.cache.get("task", ref);
      if (task) this.watchers.update(ref, task);
      else this.watchers.refresh(this.client(), ref);
    }
  }

  close(error: XapiError): void {
    this.watchers.failAll(error);
  }
}
