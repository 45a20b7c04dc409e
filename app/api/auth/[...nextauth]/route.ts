/** next-auth's endpoints (sign-in, sign-out, session, CSRF). The request's client address is made available to
 * the login check and the logout audit entry. */
import NextAuth from "next-auth";
import type { NextRequest } from "next/server";
import { getAuthOptions } from "@/lib/auth/options";
import { clientAddressFromHeaders, runWithClientAddress } from "@/lib/auth/request-context";
import { getConfig } from "@/lib/config";

type Context = { params: Promise<{ nextauth: string[] }> };

function handler(request: NextRequest, context: Context): Promise<Response> {
  const address = clientAddressFromHeaders(request.headers, getConfig().trustedProxies);
  return runWithClientAddress(address, () => NextAuth(request, context, getAuthOptions()));
}

export { handler as GET, handler as POST };
