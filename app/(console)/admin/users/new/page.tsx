import { ActionForm, FormCheckboxField, FormRadioGroup, FormTextField } from "@/lib/ui/action-form";
import { adminMetadata } from "@/lib/admin/metadata";
import { USERS_PATH } from "@/lib/routes";
import { requireAdmin } from "@/lib/auth/current-user";
import { PASSWORD_MIN_LENGTH } from "@/lib/password-policy";
import { Card } from "@/lib/ui/card";
import { PageHeader } from "@/lib/ui/page-header";
import { ACCOUNT_TYPES } from "@/app/(console)/admin/users/account-type";
import { createUserAction } from "@/app/(console)/admin/users/actions";

export const generateMetadata = adminMetadata("New user");

export default async function NewUserPage() {
  await requireAdmin();
  return (
    <>
      <PageHeader title="New user" breadcrumbs={[{ label: "Users", href: USERS_PATH }, { label: "New user" }]} />
      <Card className="max-w-xl">
        <ActionForm action={createUserAction} submitLabel="Create user" pendingLabel="Creating…">
          <FormTextField
            label="Username"
            name="username"
            required
            autoComplete="off"
            autoCapitalize="none"
            spellCheck={false}
            hint="Letters, digits, dots, dashes and underscores; stored in lower case."
          />
          <FormTextField label="Display name" name="displayName" autoComplete="off" />
          <FormTextField
            label="Password"
            name="password"
            type="password"
            required
            autoComplete="new-password"
            hint={`At least ${PASSWORD_MIN_LENGTH} characters.`}
          />
          <FormTextField label="Confirm password" name="confirmPassword" type="password" required autoComplete="new-password" />
          <FormCheckboxField
            label="Must change password at next login"
            name="mustChangePassword"
            defaultChecked
            hint="Recommended: the user then chooses their own password before anything else, so the one you set here stops working."
          />
          <FormRadioGroup legend="Account type" name="accountType" defaultValue="user" options={ACCOUNT_TYPES} />
        </ActionForm>
      </Card>
    </>
  );
}
