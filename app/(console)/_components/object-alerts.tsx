/**
 * The alerts about one object, on its page (VM, host, SR, pool): the same rows as the alerts pane, without the
 * object column. Renders nothing when there are none.
 *
 *   <ObjectAlerts uuid={vm.uuid} objectName={vm.name} />
 */
import "server-only";
import Link from "next/link";
import { visibleAlerts } from "@/lib/alerts/alerts";
import { alertQueryHref, parseAlertQuery } from "@/lib/alerts/alert-query";
import { requireUser } from "@/lib/auth/current-user";
import { Section } from "@/lib/ui/card";
import { AlertTable } from "@/app/(console)/alerts/_components/alert-table";

/** At most this many on an object's page; the pane has the rest. */
const SHOWN = 10;

export async function ObjectAlerts({ uuid, objectName }: { uuid: string; objectName: string }) {
  const user = await requireUser();
  const alerts = await visibleAlerts(user, { about: uuid });
  if (alerts.length === 0) return null;
  const more = alerts.length - SHOWN;
  return (
    <Section
      title="Alerts"
      description={
        more > 0 ? (
          <>
            The {SHOWN} newest of {alerts.length}.{" "}
            <Link href={alertQueryHref(parseAlertQuery({}), { object: uuid })} className="text-link hover:underline">
              All alerts about {objectName}
            </Link>
          </>
        ) : undefined
      }
    >
      <AlertTable alerts={alerts.slice(0, SHOWN)} label={`Alerts about ${objectName}`} showObject={false} />
    </Section>
  );
}
