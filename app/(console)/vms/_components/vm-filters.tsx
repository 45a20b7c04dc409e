/**
 * The VM list's search and filters: a GET form (next/form navigates without a full reload), so the whole state
 * lives in the URL. Submitting goes back to page 1; the sort and the page size are kept.
 */
import Form from "next/form";
import { CheckboxChips, PoolSelect } from "@/app/(console)/_components/filter-fields";
import { POWER_STATES, PER_PAGE_OPTIONS, DEFAULT_PER_PAGE, DEFAULT_SORT, DEFAULT_DIR, type VmQuery } from "@/lib/inventory/vm-query";
import { Button, ButtonLink } from "@/lib/ui/button";
import { inputClasses } from "@/lib/ui/field";
import { cx } from "@/lib/ui/classes";

const SEARCH_HINT =
  "Words match name, IP, OS, host, pool and tags. Terms: name:, power_state:, pool:, host:, os:, ip:, tag:, uuid: — prefix with - to exclude.";

export function VmFilters({ query, pools }: { query: VmQuery; pools: { id: string; label: string }[] }) {
  const filtered = query.q !== "" || query.power.length > 0 || query.pool.length > 0;
  return (
    <Form action="/vms" className="flex flex-wrap items-end gap-x-3 gap-y-2" role="search" aria-label="Search and filter VMs">
      <div className="min-w-56 flex-1 space-y-1">
        <label htmlFor="vm-search" className="block text-xs font-medium">
          Search
        </label>
        <input
          id="vm-search"
          name="q"
          type="search"
          defaultValue={query.q}
          placeholder="web, os:debian, power_state:running pool:lab…"
          aria-describedby="vm-search-hint"
          className={inputClasses}
          maxLength={500}
        />
        <p id="vm-search-hint" className="sr-only">
          {SEARCH_HINT}
        </p>
      </div>
      <CheckboxChips legend="Power state" name="power" options={POWER_STATES.map((state) => ({ value: state, label: state }))} checked={query.power} />
      <PoolSelect id="vm-pool" pools={pools} selected={query.pool[0] ?? ""} />
      <div className="space-y-1">
        <label htmlFor="vm-per-page" className="block text-xs font-medium">
          Per page
        </label>
        <select id="vm-per-page" name="perPage" defaultValue={String(query.perPage)} className={cx(inputClasses, "w-20 pr-6")}>
          {PER_PAGE_OPTIONS.map((count) => (
            <option key={count} value={count}>
              {count}
            </option>
          ))}
        </select>
      </div>
      {(query.sort !== DEFAULT_SORT || query.dir !== DEFAULT_DIR) && <input type="hidden" name="sort" value={query.sort} />}
      {query.dir !== DEFAULT_DIR && <input type="hidden" name="dir" value={query.dir} />}
      <div className="flex gap-2">
        <Button type="submit" variant="primary" icon="search">
          Apply
        </Button>
        {filtered && (
          <ButtonLink href={query.perPage === DEFAULT_PER_PAGE ? "/vms" : `/vms?perPage=${query.perPage}`} variant="ghost">
            Clear
          </ButtonLink>
        )}
      </div>
      <p className="basis-full text-xs text-muted">{SEARCH_HINT}</p>
    </Form>
  );
}
