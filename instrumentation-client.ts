/**
 * Runs in the browser before the app's code. zod compiles object schemas with `new Function` when the page
 * allows it, and probes for that once; XenDeck's Content-Security-Policy forbids eval (lib/server/security-
 * headers.ts), so the probe would be reported as a violation on every page with a form schema. Told up front,
 * zod does not try (it then validates the same way, without generated code).
 */
import { config } from "zod/v4/core";

config({ jitless: true });
