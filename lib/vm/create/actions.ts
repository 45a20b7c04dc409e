/**
 * The "New VM" server action: authorized as `pool.vm.create` on the pool of the template (which the user must be
 * able to see, else it does not exist for them), run by run.ts, audited once with the new VM's uuid (or the step
 * that failed). The user data of a cloud-init drive is not audited: it may hold passwords or keys.
 */
import "server-only";
import { can } from "@/lib/access/can";
import { poolSecurable, vmSecurable } from "@/lib/access/securables";
import { defineAction, type Located } from "@/lib/actions/define";
import type { CurrentUser } from "@/lib/auth/session-user";
import { loadPoolViews } from "@/lib/pools/views";
import { vmCreationInputSchema, type ParsedVmCreationInput } from "./input";
import { createVmFrom, TEMPLATE_NOT_FOUND, type CreationTarget } from "./run";

/** A template (not a snapshot) the user may see, with its pool, as the pipeline authorizes on it. */
export async function locateTemplateFor(uuid: string, actor: CurrentUser): Promise<Located<CreationTarget> | null> {
  for (const view of await loadPoolViews()) {
    const connection = view.connection;
    const template = connection?.cache.getByUuid("VM", uuid);
    if (!connection || !template) continue;
    if (!template.is_a_template || template.is_a_snapshot || !can(actor, "vm.view", vmSecurable(view.uuid, connection.cache, template))) return null;
    return {
      value: { view, connection, template },
      securable: poolSecurable(view.uuid),
      object: { kind: "pool", uuid: view.uuid, label: view.label },
      poolId: view.id,
    };
  }
  return null;
}

function auditParams(input: ParsedVmCreationInput): Record<string, unknown> {
  const { cloudInit, progressId: _progressId, ...rest } = input;
  return { ...rest, cloudInit: cloudInit !== undefined };
}

export const createVm = defineAction({
  name: "vm.create",
  input: vmCreationInputSchema,
  authorize: {
    action: "pool.vm.create",
    locate: (input, actor) => locateTemplateFor(input.template, actor),
    notFound: TEMPLATE_NOT_FOUND,
    auditKind: "template",
    requestedUuid: (input) => input.template,
  },
  auditAction: "vm.create",
  auditParams,
  describe: ({ input }) => ({ action: "create", objectName: input.name }),
  run: createVmFrom,
});
