/**
 * Live updates for the signed-in user (server-sent events): changes to objects they may view, and status
 * changes of pools they see something in. The console pages subscribe with `LiveRefresh` and re-render.
 */
import { signedInUser } from "@/lib/actions/route";
import { openLiveStream } from "@/lib/live/stream";

export const dynamic = "force-dynamic";

export async function GET(request: Request): Promise<Response> {
  const user = await signedInUser();
  if (!user) {
    return Response.json({ error: "Not signed in" }, { status: 401, headers: { "Cache-Control": "no-store" } });
  }
  const stream = await openLiveStream(user, request.signal);
  return new Response(stream, {
    headers: {
      "Content-Type": "text/event-stream; charset=utf-8",
      "Cache-Control": "no-store, no-transform",
      Connection: "keep-alive",
      // Reverse proxies (nginx) must not buffer the stream.
      "X-Accel-Buffering": "no",
    },
  });
}
