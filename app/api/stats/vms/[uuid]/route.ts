/**
 * A VM's statistics as JSON (the Stats tab refreshes the live range every 5 s): `?range=10m|2h|1w|1y`.
 * 401 without a session; 404 for a VM that does not exist or that the user may not view.
 */
import { signedInUser } from "@/lib/actions/route";
import { vmStats } from "@/lib/stats/object-stats";
import { parseStatsRange } from "@/lib/stats/types";
import { statsResponse } from "@/lib/stats/respond";

export const dynamic = "force-dynamic";

export async function GET(request: Request, { params }: { params: Promise<{ uuid: string }> }): Promise<Response> {
  const user = await signedInUser();
  if (!user) return statsResponse(401, { error: "Not signed in" });
  const stats = await vmStats(user, (await params).uuid, parseStatsRange(new URL(request.url).searchParams.get("range")));
  return stats ? statsResponse(200, stats) : statsResponse(404, { error: "Not found" });
}
