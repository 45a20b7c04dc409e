/**
 * Test fixture: a separate "app instance" that appends entries to the audit log of DATABASE_URL.
 *   node --conditions=react-server --import tsx lib/dev/test/audit-append.ts <instance name> <count>
 * Used by audit.test.ts to prove that appends from several processes keep one valid chain.
 */
import { createDbClient } from "@/lib/db/client";
import { recordAudit } from "@/lib/audit/record";

const [instance = "instance", count = "10"] = process.argv.slice(2);
const db = createDbClient(process.env.DATABASE_URL!);
try {
  await Promise.all(
    Array.from({ length: Number(count) }, (_, i) => recordAudit({ actor: null, action: "test.append", params: { instance, i }, outcome: "ok" }, db)),
  );
} finally {
  await db.$disconnect();
}
