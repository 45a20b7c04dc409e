/**
 * The request header in which XenDeck's HTTP server (lib/server/http-server.ts) writes the TCP peer address of
 * every request's socket, replacing whatever a client sent under that name. Its own module so that the app
 * (lib/auth/request-context.ts) can read the name without importing the server. No imports: the server loads it
 * outside Next.
 */
export const PEER_ADDRESS_HEADER = "x-xendeck-peer-address";
