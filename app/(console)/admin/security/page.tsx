import type { Metadata } from "next";
import { requireAdmin } from "@/lib/auth/current-user";
import { getTwoFactorPolicy } from "@/lib/auth/two-factor-policy";
import { ActionForm, FormRadioGroup } from "@/lib/ui/action-form";
import { Card } from "@/lib/ui/card";
import { PageHeader } from "@/lib/ui/page-header";
import { setTwoFactorPolicyAction } from "./actions";

export const metadata: Metadata = { title: "Security" };

const POLICIES = [
  { value: "off", label: "Optional", hint: "Each user decides (Account menu → Two-factor login)." },
  { value: "admins", label: "Required for administrators", hint: "Administrators without it set it up right after their password, before any page." },
  { value: "everyone", label: "Required for everyone", hint: "Every user without it sets it up right after their password, before any page." },
];

/** Console-wide security settings (global admins). */
export default async function SecurityPage() {
  await requireAdmin();
  const policy = await getTwoFactorPolicy();
  return (
    <>
      <PageHeader title="Security" description="Who must sign in with a second factor. A user's page lets you reset a lost one or end their sessions." />
      <Card title="Two-factor login" className="max-w-2xl">
        <ActionForm action={setTwoFactorPolicyAction} submitLabel="Save">
          <FormRadioGroup legend="Two-factor login is" name="policy" defaultValue={policy} options={POLICIES} />
        </ActionForm>
      </Card>
    </>
  );
}
