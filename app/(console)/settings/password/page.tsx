import type { Metadata } from "next";
import { ActionForm, FormTextField } from "@/lib/ui/action-form";
import { requiredPasswordChange } from "@/lib/account/password-change";
import { requireUser } from "@/lib/auth/current-user";
import { PASSWORD_MIN_LENGTH } from "@/lib/password-policy";
import { Banner } from "@/lib/ui/banner";
import { Card } from "@/lib/ui/card";
import { PageHeader } from "@/lib/ui/page-header";
import { changePasswordAction } from "./actions";

export const metadata: Metadata = { title: "Change password" };

export default async function ChangePasswordPage() {
  const user = await requireUser({ allowPasswordChange: true });
  const reason = user.mustChangePassword ? await requiredPasswordChange(user.id) : null;
  return (
    <>
      <PageHeader title={reason === "new-account" ? "Choose your password" : "Change password"} description={`Signed in as ${user.username}.`} />
      {reason === "new-account" && (
        <Banner tone="info" title="Welcome to XenDeck: choose your own password" className="mb-4 max-w-xl">
          Your account is new. Enter the password your administrator gave you, then choose your own: only you will know it.
        </Banner>
      )}
      {reason === "reset" && (
        <Banner tone="warning" title="Choose a new password to continue" className="mb-4 max-w-xl">
          An administrator reset your password. Enter the temporary password you were given, then your own.
        </Banner>
      )}
      <Card className="max-w-xl">
        <ActionForm action={changePasswordAction} submitLabel="Change password" pendingLabel="Changing…">
          <FormTextField
            label={reason === "new-account" ? "Password you were given" : reason === "reset" ? "Temporary password" : "Current password"}
            name="currentPassword"
            type="password"
            required
            autoComplete="current-password"
          />
          <FormTextField
            label="New password"
            name="newPassword"
            type="password"
            required
            autoComplete="new-password"
            hint={`At least ${PASSWORD_MIN_LENGTH} characters, not only spaces.`}
          />
          <FormTextField label="Confirm new password" name="confirmPassword" type="password" required autoComplete="new-password" />
          <p className="text-xs text-muted">Your other sessions end; this browser stays signed in.</p>
        </ActionForm>
      </Card>
    </>
  );
}
