/**
 * The progress of VM creations under way, kept in this process for the page that started them to poll
 * (GET /api/vm-creations/<id>) while its server action runs. Only the user who started a creation reads it. An
 * instance behind a load balancer that is not sticky may be asked about a creation another instance runs: the
 * page then shows the steps only with the final answer.
 */
import "server-only";
import { LruMap } from "@/lib/memo";
import type { CreationProgress, CreationStep } from "./steps";

const KEEP_MS = 10 * 60_000;
const MAX_ENTRIES = 1_000;

interface Entry extends CreationProgress {
  actorId: string;
  expires: number;
}

// On globalThis: the server action and the route handler may be bundled apart, each with its own module copy.
// Bounded: ids come from the browser.
const store = globalThis as typeof globalThis & { __xendeckVmCreationProgress?: LruMap<string, Entry> };
const entries = (store.__xendeckVmCreationProgress ??= new LruMap<string, Entry>(MAX_ENTRIES));

/** Publishes `steps` (copied) as the progress of creation `id` by `actorId`; an id another user holds is left alone. */
export function publishProgress(id: string | undefined, actorId: string, steps: readonly CreationStep[], done = false): void {
  if (!id) return;
  const now = Date.now();
  const existing = entries.get(id);
  if (existing && existing.actorId !== actorId) return;
  if (!existing) entries.deleteWhere((entry) => entry.expires < now);
  entries.set(id, { actorId, steps: steps.map((step) => ({ ...step })), done, expires: now + KEEP_MS });
}

/** The progress of creation `id`, if `actorId` started it. */
export function creationProgress(actorId: string, id: string): CreationProgress | null {
  const entry = entries.get(id);
  if (!entry || entry.actorId !== actorId || entry.expires < Date.now()) return null;
  return { steps: entry.steps.map((step) => ({ ...step })), done: entry.done };
}
