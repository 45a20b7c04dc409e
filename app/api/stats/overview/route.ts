/**
 * The performance overview as JSON (dashboard and pool pages, refreshed every 5 s): the busiest VMs by CPU,
 * memory, network and disk, and host usage, over what the user may view. `?pool=<id>` one pool, `?limit=` rows
 * per list (1-20). 401 without a session.
 */
import { signedInUser } from "@/lib/actions/route";
import { statsOverview } from "@/lib/stats/overview";
import { statsResponse } from "@/lib/stats/respond";

export const dynamic = "force-dynamic";

export async function GET(request: Request): Promise<Response> {
  const user = await signedInUser();
  if (!user) return statsResponse(401, { error: "Not signed in" });
  const query = new URL(request.url).searchParams;
  const limit = Number(query.get("limit") ?? 5);
  return statsResponse(200, await statsOverview(user, { poolId: query.get("pool") ?? undefined, limit: Number.isFinite(limit) ? limit : 5 }));
}
