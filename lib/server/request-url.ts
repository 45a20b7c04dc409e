/**
 * Requests whose path cannot be percent-decoded (`/vms/%E0%A4%A`): Next.js answers them with a 500 and an
 * error in the log. They can only come from a broken or hostile client, so XenDeck's server answers 400 first.
 */
import type { ServerResponse } from "node:http";

/** True when every percent-escape of the request target's path decodes to UTF-8. */
export function hasDecodablePath(target: string | undefined): boolean {
  const path = (target ?? "/").split(/[?#]/, 1)[0]!;
  if (!path.includes("%")) return true;
  try {
    decodeURIComponent(path);
    return true;
  } catch {
    return false;
  }
}

export function answerBadRequest(response: ServerResponse): void {
  response.statusCode = 400;
  response.setHeader("Content-Type", "text/plain; charset=utf-8");
  response.setHeader("Cache-Control", "no-store");
  response.end("Bad request: the URL is not valid.\n");
}
