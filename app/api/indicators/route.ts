/**
 * The navigation's live counts for the signed-in user: critical and major alerts newer than the last time they
 * looked at the alerts pane, and the tasks running now, among the objects they may view: `{ alerts, tasks }`.
 * The shell asks for them when a page opens and when the live stream reports an alert or a task.
 */
import { alertsSeenAt } from "@/lib/alerts/actions";
import { unreadUrgentAlertCount } from "@/lib/alerts/alerts";
import { signedInUser } from "@/lib/actions/route";
import { loadPoolViews } from "@/lib/pools/views";
import { runningTaskCount } from "@/lib/tasks/tasks";

export const dynamic = "force-dynamic";

export async function GET(): Promise<Response> {
  const user = await signedInUser();
  if (!user) return Response.json({ error: "Not signed in" }, { status: 401, headers: { "Cache-Control": "no-store" } });
  const [views, seenAt] = await Promise.all([loadPoolViews(), alertsSeenAt(user)]);
  const [alerts, tasks] = await Promise.all([unreadUrgentAlertCount(user, seenAt, views), runningTaskCount(user, views)]);
  return Response.json({ alerts, tasks }, { headers: { "Cache-Control": "no-store" } });
}
