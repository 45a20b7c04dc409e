/**
 * The progress of a VM creation the signed-in user started (the New VM page polls it while its action runs):
 * `{ steps: [{ id, label, state, detail? }], done }`, or 404 for any other id.
 */
import { signedInUser } from "@/lib/actions/route";
import { creationProgress } from "@/lib/vm/create/progress";

export const dynamic = "force-dynamic";

export async function GET(_request: Request, { params }: { params: Promise<{ id: string }> }): Promise<Response> {
  const user = await signedInUser();
  if (!user) return Response.json({ error: "Not signed in" }, { status: 401 });
  const progress = creationProgress(user.id, (await params).id);
  if (!progress) return Response.json({ error: "No such creation" }, { status: 404, headers: { "Cache-Control": "no-store" } });
  return Response.json(progress, { headers: { "Cache-Control": "no-store" } });
}
