/**
 * The end-to-end tests' hands on XenDeck's database, acting as the `admin` account through the repositories
 * (authorized and audited like the UI would be). Run by the global setup and by tests through `runDbCli()`
 * (e2e/support/db.ts), with the test server's environment (DATABASE_URL, XENDECK_DATA_DIR...):
 *
 *   setup <spec.json>                         migrate, first admin, users with ACLs, pools; prints the pools
 *   create-user <json UserToCreate>           prints { id }
 *   update-user <username> <json>             e.g. {"disabled":true}
 *   add-acl <username> <json {kind,uuid,role}>
 *   set-two-factor-policy <off|admins|everyone>
 *   create-group <name>                       prints { id }
 *
 * Run with: node --experimental-wasm-modules --conditions=react-server --import tsx e2e/support/db-cli.ts ...
 */
import { readFileSync } from "node:fs";
import { createGroup } from "@/lib/access/groups";
import { setTwoFactorPolicy } from "@/lib/auth/two-factor-policy";
import { recordChangesAs } from "@/lib/audit/record";
import { updateUser, listUsers } from "@/lib/auth/users";
import { getDb } from "@/lib/db/client";
import { adminActor, ensureRegisteredPool, ensureUser, prepareDatabase, type PoolToRegister, type UserToCreate } from "@/lib/dev/demo/seed";

export interface SetupSpec {
  pools: PoolToRegister[];
  users: (Omit<UserToCreate, "acls"> & { acls?: { kind: "pool" | "host" | "vm" | "sr" | "network"; uuid: string; role: "viewer" | "operator" | "admin" }[] })[];
}

export interface SetupResult {
  pools: { label: string; id: string; uuid: string }[];
}

async function main(): Promise<unknown> {
  const [command, ...args] = process.argv.slice(2);
  switch (command) {
    case "setup": {
      const spec = JSON.parse(readFileSync(args[0]!, "utf8")) as SetupSpec;
      await prepareDatabase();
      const actor = await adminActor();
      const pools: SetupResult["pools"] = [];
      for (const pool of spec.pools) {
        const registered = await ensureRegisteredPool(actor, pool);
        pools.push({ label: registered.pool.label, id: registered.pool.id, uuid: registered.poolUuid });
      }
      for (const user of spec.users) await ensureUser(actor, user);
      return { pools } satisfies SetupResult;
    }
    case "create-user": {
      const id = await ensureUser(await adminActor(), JSON.parse(args[0]!) as UserToCreate);
      return { id };
    }
    case "update-user": {
      const actor = await adminActor();
      const user = (await listUsers(actor)).find((candidate) => candidate.username === args[0]);
      if (!user) throw new Error(`no user ${args[0]}`);
      const result = await updateUser(user.id, JSON.parse(args[1]!), recordChangesAs(actor, "user.update"));
      if (!result.ok) throw new Error(result.error);
      return { id: user.id };
    }
    case "add-acl": {
      const acl = JSON.parse(args[1]!) as NonNullable<UserToCreate["acls"]>[number];
      const actor = await adminActor();
      const user = (await listUsers(actor)).find((candidate) => candidate.username === args[0]);
      if (!user) throw new Error(`no user ${args[0]}`);
      await ensureUser(actor, { username: user.username, password: "unused-existing-user", acls: [acl] });
      return { id: user.id };
    }
    case "set-two-factor-policy": {
      const result = await setTwoFactorPolicy({ policy: args[0] }, recordChangesAs(await adminActor(), "settings.two_factor_policy"));
      if (!result.ok) throw new Error(result.error);
      return { policy: result.policy };
    }
    case "create-group": {
      const result = await createGroup({ name: args[0] }, recordChangesAs(await adminActor(), "group.create"));
      if (!result.ok) throw new Error(result.error);
      return { id: result.group.id };
    }
    default:
      throw new Error(`unknown command ${command ?? "(none)"}`);
  }
}

main()
  .then(async (result) => {
    process.stdout.write(`${JSON.stringify(result)}\n`);
    await getDb().$disconnect();
  })
  .catch((error: unknown) => {
    process.stderr.write(`db-cli: ${error instanceof Error ? error.message : String(error)}\n`);
    process.exit(1);
  });
