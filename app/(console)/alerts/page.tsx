import type { Metadata } from "next";
import { applyAlertQuery, ALERTS_PER_PAGE, alertQueryHref, parseAlertQuery } from "@/lib/alerts/alert-query";
import { visibleAlerts } from "@/lib/alerts/alerts";
import { requireUser } from "@/lib/auth/current-user";
import { loadPoolViews, troubledPools } from "@/lib/pools/views";
import { Card } from "@/lib/ui/card";
import { EmptyState } from "@/lib/ui/empty-state";
import { formatCount } from "@/lib/ui/format";
import { LiveUpdates } from "@/lib/ui/live/live-updates";
import { PageHeader } from "@/lib/ui/page-header";
import { Pagination } from "@/lib/ui/pagination";
import { PoolBanners } from "@/lib/ui/pool-banners";
import { AlertFilters } from "./_components/alert-filters";
import { AlertTable } from "./_components/alert-table";
import { MarkAlertsSeen } from "./_components/mark-alerts-seen";

export const metadata: Metadata = { title: "Alerts" };

type Props = { searchParams: Promise<Record<string, string | string[] | undefined>> };

export default async function AlertsPage({ searchParams }: Props) {
  const user = await requireUser();
  const query = parseAlertQuery(await searchParams);
  const views = await loadPoolViews();
  const alerts = await visibleAlerts(user, { views });
  const { rows, total, page, pages } = applyAlertQuery(alerts, query);
  const poolIds = new Set(alerts.map((alert) => alert.pool.id));
  const pools = views.filter((view) => poolIds.has(view.id) || query.pools.includes(view.id));

  return (
    <>
      <PageHeader
        title="Alerts"
        description={total === alerts.length ? formatCount(total, "alert") : `${formatCount(total, "alert")} match, of ${alerts.length}`}
      />
      <LiveUpdates pools={pools} />
      <MarkAlertsSeen newest={alerts[0]?.time ?? null} />
      <PoolBanners pools={troubledPools(views, poolIds)} />
      <div className="space-y-4">
        <AlertFilters query={query} pools={pools.map((view) => ({ id: view.id, label: view.label }))} />
        {rows.length === 0 ? (
          <Card padded={false}>
            <EmptyState title={alerts.length === 0 ? "No alerts" : "No alert matches"} icon="bell">
              {alerts.length === 0 ? "Nothing to report on the objects you have access to." : "Change or clear the filters to see the other alerts."}
            </EmptyState>
          </Card>
        ) : (
          <AlertTable alerts={rows} label="Alerts" />
        )}
        {pages > 1 && (
          <Pagination
            page={page}
            pages={pages}
            total={total}
            perPage={ALERTS_PER_PAGE}
            hrefForPage={(p) => alertQueryHref(query, { page: p })}
            itemName="alerts"
          />
        )}
      </div>
    </>
  );
}
