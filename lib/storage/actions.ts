/**
 * Rescanning an SR (`SR.scan`, admins of the SR): the pool looks for disks added or removed behind its back and
 * recounts the space used. XAPI refuses an SR attached nowhere (SR_HAS_NO_PBDS) and a second scan at once.
 */
import "server-only";
import { z } from "zod";
import { srSecurable } from "@/lib/access/securables";
import { defineAction, type Located } from "@/lib/actions/define";
import { refNamer, srLabel } from "@/lib/pools/names";
import { loadPoolViews, type PoolView } from "@/lib/pools/views";
import type { ActionResult } from "@/lib/result";
import type { PoolConnection, XapiObject } from "@/lib/xapi";
import { objectUuidSchema } from "@/lib/actions/object-uuid";

export const SR_NOT_FOUND = "This storage repository does not exist, or you do not have access to it.";

export interface LocatedSr {
  view: PoolView;
  connection: PoolConnection;
  sr: XapiObject<"SR">;
}

export async function locateSrFor(uuid: string): Promise<Located<LocatedSr> | null> {
  for (const view of await loadPoolViews()) {
    const connection = view.connection;
    const sr = connection?.cache.getByUuid("SR", uuid);
    if (!connection || !sr) continue;
    return {
      value: { view, connection, sr },
      securable: srSecurable(view.uuid, sr),
      object: { kind: "sr", uuid, label: srLabel(connection.cache, sr) },
      poolId: view.id,
    };
  }
  return null;
}

export const scanSr = defineAction({
  name: "sr.scan",
  input: z.object({
    sr: objectUuidSchema("An SR"),
  }),
  authorize: { action: "sr.scan", locate: (input) => locateSrFor(input.sr), notFound: SR_NOT_FOUND, requestedUuid: (input) => input.sr },
  describe: ({ target }) => ({ action: "rescan", objectName: srLabel(target.connection.cache, target.sr), nameOf: refNamer(target.connection.cache) }),
  async run({ target, task }): Promise<ActionResult<{ message: string }>> {
    const { connection, sr } = target;
    await connection.callAsync("SR.scan", [sr.$ref], task);
    return { ok: true, message: `${srLabel(connection.cache, sr)} rescanned` };
  },
});
