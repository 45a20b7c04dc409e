/** Statistics answers are per user and change every few seconds: never cached. */
export function statsResponse(status: number, body: unknown): Response {
  return Response.json(body, { status, headers: { "Cache-Control": "no-store" } });
}
