/**
 * The live status of the pools the signed-in user may view, as JSON (for monitoring and scripts):
 * `[{ id, label, uuid, enabled, state, since, reason, lastSyncAt }]`.
 */
import { signedInUser } from "@/lib/actions/route";
import { visiblePools } from "@/lib/inventory/pools";

export const dynamic = "force-dynamic";

export async function GET(): Promise<Response> {
  const user = await signedInUser();
  if (!user) return Response.json({ error: "Not signed in" }, { status: 401 });
  const pools = await visiblePools(user);
  return Response.json(
    pools.map((pool) => ({ id: pool.id, label: pool.label, uuid: pool.uuid, enabled: pool.enabled, ...pool.status })),
    { headers: { "Cache-Control": "no-store" } },
  );
}
