/**
 * One browser's live update stream (server-sent events) for the signed-in user: the hub's messages that the
 * user may see, as SSE frames stamped with the server's time (`at`), plus a heartbeat. The user's rights are re-read from the database at most
 * every `USER_RELOAD_MS` before a message goes out, so an ACL change applies to an open stream within that
 * delay, and an ended session or a disabled or deleted account ends the stream.
 */
import "server-only";
import { loadActor, loadSessionUser, type CurrentUser } from "@/lib/auth/session-user";
import { addLiveSubscriber, poolStatesFor, type LiveMessage, type MessageFor } from "./hub";

const USER_RELOAD_MS = 2_000;
const HEARTBEAT_MS = 25_000;

const encoder = new TextEncoder();

/** One SSE frame. `data` is JSON (no raw newlines). */
export function sseFrame(event: string, data: unknown): Uint8Array {
  return encoder.encode(`event: ${event}\ndata: ${JSON.stringify(data)}\n\n`);
}

/**
 * Opens the stream for `user` (already authenticated by the route). Ends when the browser goes away
 * (`signal`), when the account stops being valid, or when the server stops.
 */
export async function openLiveStream(user: CurrentUser, signal: AbortSignal): Promise<ReadableStream<Uint8Array>> {
  const reload = () => (user.sessionId ? loadSessionUser(user.sessionId) : loadActor(user.id));
  let current: CurrentUser = user;
  let loadedAt = Date.now();
  let queue: Promise<void> = Promise.resolve();
  let closed = false;
  let cleanup = () => {};

  return new ReadableStream<Uint8Array>({
    start(controller) {
      const close = () => {
        if (closed) return;
        closed = true;
        cleanup();
        try {
          controller.close();
        } catch {
          // already closed by the other side
        }
      };
      const write = (chunk: Uint8Array) => {
        if (closed) return;
        try {
          controller.enqueue(chunk);
        } catch {
          close();
        }
      };
      /** Re-reads the user when the copy is old; false when the session no longer counts. */
      const fresh = async (): Promise<boolean> => {
        if (Date.now() - loadedAt < USER_RELOAD_MS) return true;
        const reloaded = await reload().catch(() => null);
        loadedAt = Date.now();
        if (!reloaded) return false;
        current = reloaded;
        return true;
      };

      const unsubscribe = addLiveSubscriber({
        close,
        offer(messageFor: MessageFor) {
          // Serialised so that messages keep their order across user reloads; the filter runs with the rights
          // the user has once the reload (if due) is done.
          queue = queue.then(async () => {
            if (closed) return;
            if (!(await fresh())) {
              write(sseFrame("end", { reason: "session" }));
              close();
              return;
            }
            let message: LiveMessage | null = null;
            try {
              message = messageFor(current);
            } catch (error) {
              console.error(`[xendeck live] building a message failed: ${String(error)}`);
            }
            if (message) write(sseFrame(message.type, { ...message, at: Date.now() }));
          });
        },
      });
      const heartbeat = setInterval(() => {
        queue = queue.then(async () => {
          if (!(await fresh())) {
            write(sseFrame("end", { reason: "session" }));
            close();
          } else write(encoder.encode(": ping\n\n"));
        });
      }, HEARTBEAT_MS);
      heartbeat.unref?.();
      const onAbort = () => close();
      signal.addEventListener("abort", onAbort, { once: true });
      cleanup = () => {
        unsubscribe();
        clearInterval(heartbeat);
        signal.removeEventListener("abort", onAbort);
      };
      // How long to wait before reconnecting; then the pools' states now, so that a page rendered before the
      // stream opened can tell whether it missed a status change.
      write(encoder.encode("retry: 2000\n\n"));
      write(sseFrame("ready", { at: Date.now(), pools: poolStatesFor(current) }));
    },
    cancel() {
      closed = true;
      cleanup();
    },
  });
}
