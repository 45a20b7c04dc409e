/**
 * `npm run audit:verify`: checks the audit log's hash chain in DATABASE_URL (loading .env files like Next).
 * Exit code 0 when the chain is intact, 1 when broken (the first broken entry is named), 2 on other errors.
 */
import nextEnv from "@next/env";
import { getDb } from "@/lib/db/client";
import { verifyAuditChain } from "./verify";

nextEnv.loadEnvConfig(process.cwd(), false, { info: () => {}, error: console.error });

try {
  const result = await verifyAuditChain();
  await getDb().$disconnect();
  if (result.ok) {
    console.log(`Audit log intact: ${result.count} entries.`);
  } else {
    console.error(`Audit log BROKEN at entry #${result.firstBrokenId}: ${result.reason}`);
    process.exit(1);
  }
} catch (error) {
  console.error(`Cannot verify the audit log: ${(error as Error).message}`);
  process.exit(2);
}
