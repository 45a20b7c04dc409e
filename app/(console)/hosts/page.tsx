import type { Metadata } from "next";
import { requireUser } from "@/lib/auth/current-user";
import { visibleHosts } from "@/lib/inventory/hosts";
import { applyHostQuery, hostQueryHref, parseHostQuery, toggleHostSort } from "@/lib/inventory/host-query";
import { LiveUpdates } from "@/lib/ui/live/live-updates";
import { PoolBanners } from "@/lib/ui/pool-banners";
import { loadPoolViews, troubledPools } from "@/lib/pools/views";
import { ButtonLink } from "@/lib/ui/button";
import { Card } from "@/lib/ui/card";
import { EmptyState } from "@/lib/ui/empty-state";
import { inputClasses } from "@/lib/ui/field";
import { FilterForm } from "@/lib/ui/filter-form";
import { formatCount } from "@/lib/ui/format";
import { PageHeader } from "@/lib/ui/page-header";
import { cx } from "@/lib/ui/classes";
import { HostsTable } from "./_components/hosts-table";

export const metadata: Metadata = { title: "Hosts" };

type Props = { searchParams: Promise<Record<string, string | string[] | undefined>> };

export default async function HostsPage(props: Props) {
  const user = await requireUser();
  const query = parseHostQuery(await props.searchParams);
  const views = await loadPoolViews();
  const all = await visibleHosts(user, views);
  const hosts = applyHostQuery(all, query);
  const current = new URL(hostQueryHref(query), "http://x").search.slice(1);

  return (
    <>
      <PageHeader
        title="Hosts"
        description={hosts.length === all.length ? formatCount(all.length, "host") : `${formatCount(hosts.length, "host")} match, out of ${all.length}`}
      />
      <LiveUpdates pools={views.filter((view) => all.some((host) => host.poolId === view.id))} />
      <PoolBanners pools={troubledPools(views, new Set(all.map((host) => host.poolId)))} />
      {all.length === 0 ? (
        <Card padded={false}>
          <EmptyState title="No hosts" icon="host">
            {noHostsReason(views, user.isAdmin)}
          </EmptyState>
        </Card>
      ) : (
        <div className="space-y-3">
          <FilterForm action="/hosts" current={current} label="Search hosts" className="flex flex-wrap items-end gap-2">
            <div className="min-w-48 flex-1 space-y-1 sm:max-w-sm">
              <label htmlFor="host-search" className="block text-xs font-medium">
                Search
              </label>
              <input
                id="host-search"
                name="q"
                type="search"
                defaultValue={query.q}
                placeholder="Name, address, pool or CPU"
                className={cx(inputClasses)}
                maxLength={200}
              />
            </div>
            {(query.sort !== "name" || query.dir !== "asc") && <input type="hidden" name="sort" value={query.sort} />}
            {query.dir !== "asc" && <input type="hidden" name="dir" value={query.dir} />}
            {query.q && (
              <ButtonLink href={hostQueryHref(query, { q: "" })} variant="ghost">
                Clear
              </ButtonLink>
            )}
          </FilterForm>
          {hosts.length === 0 ? (
            <Card padded={false}>
              <EmptyState title="No host matches" icon="search">
                No host&apos;s name, address, pool or CPU contains “{query.q}”.
              </EmptyState>
            </Card>
          ) : (
            <HostsTable
              hosts={hosts}
              label="Hosts"
              showPool
              sort={{ href: (column) => hostQueryHref(query, toggleHostSort(query, column)), column: query.sort, dir: query.dir }}
            />
          )}
        </div>
      )}
    </>
  );
}

/** Why the list is empty, in the words that fit: nothing registered or connected (admins), or no access. */
function noHostsReason(views: { status: { state: string } }[], isAdmin: boolean): string {
  // Other users learn nothing about pools they have no access to.
  if (!isAdmin) return "You have no access to any host. Your ACLs name other objects, or none yet: ask a XenDeck administrator for a role on a host or a pool.";
  if (views.length === 0) return "No pool is registered yet: register one under Pools.";
  if (!views.some((view) => view.status.state === "connected")) return "No pool is connected at the moment.";
  return "The connected pools report no hosts yet.";
}
