import type { Metadata } from "next";
import { requireUser } from "@/lib/auth/current-user";
import { twoFactorStatus } from "@/lib/auth/two-factor";
import { ActionForm, FormTextField } from "@/lib/ui/action-form";
import { Banner } from "@/lib/ui/banner";
import { Card } from "@/lib/ui/card";
import { KeyValue, KeyValueList } from "@/lib/ui/key-value";
import { LocalTime } from "@/lib/ui/local-time";
import { PageHeader } from "@/lib/ui/page-header";
import { TWO_FACTOR_PATH } from "@/lib/routes";
import { confirmTwoFactorEnrolmentAction, disableTwoFactorAction, regenerateRecoveryCodesAction, startTwoFactorEnrolmentAction } from "./actions";
import { RecoveryCodesForm } from "./recovery-codes-form";

export const metadata: Metadata = { title: "Two-factor login" };

/** One's own two-factor login: set it up (QR code, then a first code), new recovery codes, turn it off. */
export default async function TwoFactorPage() {
  const user = await requireUser({ allowTwoFactorEnrolment: true });
  const status = await twoFactorStatus(user);
  return (
    <>
      <PageHeader
        title="Two-factor login"
        description="After your password, XenDeck asks for a code from an authenticator app on your phone (any app that supports TOTP)."
      />
      {user.mustEnrolTwoFactor && (
        <Banner tone="warning" title="Set up two-factor login to continue" className="mb-4 max-w-2xl">
          Your administrators require two-factor login for your account. The console opens once it is set up.
        </Banner>
      )}
      {status.enabled ? (
        <div className="grid max-w-4xl grid-cols-1 gap-4 lg:grid-cols-2">
          <Card title="Two-factor login is on">
            <KeyValueList columns={1}>
              <KeyValue label="Since">
                <LocalTime value={status.enabledAt} />
              </KeyValue>
              <KeyValue label="Recovery codes left">{status.recoveryCodesLeft}</KeyValue>
            </KeyValueList>
          </Card>
          <Card title="New recovery codes" description="The old codes stop working.">
            <RecoveryCodesForm
              action={regenerateRecoveryCodesAction}
              submitLabel="Make new recovery codes"
              codeLabel="Current code from your app"
              doneHref={TWO_FACTOR_PATH}
              doneLabel="Done"
            />
          </Card>
          <Card
            title="Turn off"
            description={status.required ? "Your administrators require two-factor login: it cannot be turned off." : "Your password alone will sign you in."}
          >
            {!status.required && (
              <ActionForm action={disableTwoFactorAction} submitLabel="Turn off two-factor login" submitVariant="danger">
                <FormTextField
                  label="Current code, or a recovery code"
                  name="code"
                  autoComplete="one-time-code"
                  autoCapitalize="none"
                  spellCheck={false}
                  required
                  className="max-w-xs"
                />
              </ActionForm>
            )}
          </Card>
        </div>
      ) : status.enrolment ? (
        <Card title="Scan this QR code with your authenticator app" className="max-w-2xl">
          <div className="flex flex-wrap items-start gap-6">
            {/* Made on the server from the secret (lib/auth/two-factor.ts); an image, so it cannot run anything. A data
                URL: nothing to optimise, and the secret must not be served from a cacheable URL. */}
            {/* eslint-disable-next-line @next/next/no-img-element */}
            <img
              src={`data:image/svg+xml;base64,${Buffer.from(status.enrolment.qrSvg).toString("base64")}`}
              alt="QR code of the two-factor secret"
              width={200}
              height={200}
              className="rounded-md border border-line bg-white p-2"
            />
            <div className="min-w-0 flex-1 space-y-4">
              <div>
                <p className="text-sm text-muted">Or type this key in the app (time-based, 6 digits, 30 seconds):</p>
                <output aria-label="Two-factor secret" className="mt-1 block font-mono text-sm break-all select-all">
                  {status.enrolment.secret}
                </output>
              </div>
              <RecoveryCodesForm
                action={confirmTwoFactorEnrolmentAction}
                submitLabel="Turn on two-factor login"
                codeLabel="Code shown by the app"
                doneHref="/"
                doneLabel="Continue to XenDeck"
              />
            </div>
          </div>
        </Card>
      ) : (
        <Card className="max-w-2xl">
          <ActionForm action={startTwoFactorEnrolmentAction} submitLabel="Set up two-factor login">
            <p className="text-sm text-muted">
              You will scan a QR code with your app, then type the code it shows. You also get ten recovery codes for the day the phone is lost.
            </p>
          </ActionForm>
        </Card>
      )}
    </>
  );
}
