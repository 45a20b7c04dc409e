/**
 * What users do with alerts: dismiss them (`message.destroy`, one or several at once, each authorized and audited
 * on its own: admins of what the alert is about), and mark the ones they have seen (the navigation's badge counts
 * newer critical and major alerts only).
 */
import "server-only";
import { z } from "zod";
import { alertSecurable } from "@/lib/access/securables";
import { defineAction, runAction, type Located } from "@/lib/actions/define";
import type { CurrentUser } from "@/lib/auth/session-user";
import { getDb } from "@/lib/db/client";
import { refNamer } from "@/lib/pools/names";
import { loadPoolViews, type PoolView } from "@/lib/pools/views";
import type { ActionResult } from "@/lib/result";
import type { PoolConnection, XapiObject } from "@/lib/xapi";
import { describeAlert } from "./alert-text";
import { objectUuidSchema } from "@/lib/actions/object-uuid";

export const ALERT_NOT_FOUND = "This alert does not exist (it may have been dismissed already), or you do not have access to it.";
export const MAX_DISMISS = 500;
const SEEN_SKEW_MS = 24 * 3600_000;

const alertUuid = objectUuidSchema("An alert");

export interface LocatedAlert {
  view: PoolView;
  connection: PoolConnection;
  message: XapiObject<"message">;
}

async function locateAlertFor(uuid: string): Promise<Located<LocatedAlert> | null> {
  for (const view of await loadPoolViews()) {
    const connection = view.connection;
    const message = connection?.cache.getByUuid("message", uuid);
    if (!connection || !message) continue;
    return {
      value: { view, connection, message },
      securable: alertSecurable(view.uuid, connection.cache, message),
      object: { kind: "alert", uuid: message.uuid, label: `${describeAlert(message.name, message.body).title} (${message.name})` },
      poolId: view.id,
    };
  }
  return null;
}

export const dismissAlert = defineAction({
  name: "alert.dismiss",
  input: z.object({ alert: alertUuid }),
  authorize: { action: "alert.dismiss", locate: (input) => locateAlertFor(input.alert), notFound: ALERT_NOT_FOUND, requestedUuid: (input) => input.alert },
  auditParams: (input) => ({ alert: input.alert }),
  describe: ({ target }) => ({ objectName: target.message.name, nameOf: refNamer(target.connection.cache) }),
  async run({ target, params }): Promise<ActionResult<{ message: string }>> {
    const { connection, message } = target;
    params.about = { cls: message.cls, uuid: message.obj_uuid };
    await connection.client.call("message.destroy", message.$ref);
    await connection.catchUp();
    return { ok: true, message: `${describeAlert(message.name, message.body).title} dismissed` };
  },
});

export interface DismissOutcome {
  alert: string;
  result: ActionResult<{ message: string }>;
}

/** Dismisses several alerts: each one authorized, dismissed and audited by `dismissAlert`. */
export const dismissAlerts = defineAction({
  name: "alert.dismiss-many",
  input: z.object({
    alerts: z
      .array(alertUuid)
      .min(1, "Select at least one alert")
      .max(MAX_DISMISS, `Select at most ${MAX_DISMISS} alerts at once`)
      .transform((list) => [...new Set(list)]),
  }),
  authorize: { each: "alert.dismiss" },
  async run({ actor, input }): Promise<ActionResult<{ dismissed: number; outcomes: DismissOutcome[]; message: string }>> {
    const outcomes: DismissOutcome[] = [];
    // One at a time: dismissing is quick, and the pool's call budget stays with the pages.
    for (const alert of input.alerts) outcomes.push({ alert, result: await runAction(dismissAlert, { actor, input: { alert } }) });
    const dismissed = outcomes.filter((outcome) => outcome.result.ok).length;
    const failed = outcomes.length - dismissed;
    const message = failed === 0 ? `${dismissed} ${dismissed === 1 ? "alert" : "alerts"} dismissed` : `${dismissed} dismissed, ${failed} not`;
    return { ok: true, dismissed, outcomes, message };
  },
});

/** When the user last saw the alerts pane (null: never). */
export async function alertsSeenAt(user: CurrentUser): Promise<Date | null> {
  const row = await getDb().user.findUnique({ where: { id: user.id }, select: { alertsSeenAt: true } });
  return row?.alertsSeenAt ?? null;
}

/**
 * The pane shows alerts up to `upTo` (its newest, the pool's time): newer urgent ones will make the badge. Only
 * the user's own marker moves, forward only; nothing else changes, so successes are not audited.
 */
export const markAlertsSeen = defineAction({
  name: "alert.mark-seen",
  input: z.object({ upTo: z.coerce.date({ error: "A time is required" }) }),
  authorize: { self: "alert.mark-seen" },
  query: true,
  async run({ actor, input }): Promise<ActionResult<{ seenAt: string }>> {
    // Pool clocks may run ahead of ours (the time is the pool's), but not by days.
    const upTo = new Date(Math.min(input.upTo.getTime(), Date.now() + SEEN_SKEW_MS));
    await getDb().user.updateMany({ where: { id: actor.id, OR: [{ alertsSeenAt: null }, { alertsSeenAt: { lt: upTo } }] }, data: { alertsSeenAt: upTo } });
    return { ok: true, seenAt: upTo.toISOString() };
  },
});
