// The `xmlrpc` package's sax-based answer parser (compared with ours in `bench/parse.ts`).
declare module "xmlrpc/lib/deserializer.js" {
  export default class Deserializer {
    deserializeMethodResponse(stream: NodeJS.ReadableStream, callback: (error: unknown, value: unknown) => void): void;
    deserializeMethodCall(stream: NodeJS.ReadableStream, callback: (error: unknown, method: string, params: unknown[]) => void): void;
  }
}

// Xen Orchestra's client, used unmodified by `bench/sync-child.ts` for comparison only.
declare module "xen-api" {
  export function createClient(options: object): unknown;
}
