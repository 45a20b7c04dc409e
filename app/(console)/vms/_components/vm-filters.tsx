/**
 * The VM list's search and filters: they apply as they change (typing after a short pause), and the whole state
 * lives in the URL (lib/ui/filter-form.tsx). A change goes back to page 1; the sort and the page size are kept.
 * Terms the search did not understand are listed under it, each with the nearest field or value to try.
 */
import Link from "next/link";
import { POWER_STATES, PER_PAGE_OPTIONS, DEFAULT_PER_PAGE, DEFAULT_SORT, DEFAULT_DIR, type SearchProblem, type VmQuery } from "@/lib/inventory/vm-query";
import { ButtonLink } from "@/lib/ui/button";
import { CheckboxChips, PoolSelect } from "@/app/(console)/_components/filter-fields";
import { inputClasses } from "@/lib/ui/field";
import { FilterForm } from "@/lib/ui/filter-form";
import { cx } from "@/lib/ui/classes";

const SEARCH_HINT =
  "Words match name, IP, OS, host, pool and tags. Terms: name:, power_state:, pool:, host:, os:, ip:, tag:, uuid: — prefix with - to exclude.";

export function VmFilters({
  query,
  current,
  pools,
  problems,
}: {
  query: VmQuery;
  /** The page's query string. */
  current: string;
  pools: { id: string; label: string }[];
  /** Terms not understood, with the link that tries the suggestion (null: none). */
  problems: (SearchProblem & { href: string | null })[];
}) {
  const filtered = query.q !== "" || query.power.length > 0 || query.pool.length > 0;
  return (
    <div className="space-y-2">
      <FilterForm
        action="/vms"
        current={current}
        omit={{ perPage: String(DEFAULT_PER_PAGE) }}
        className="flex flex-wrap items-end gap-x-3 gap-y-2"
        label="Search and filter VMs"
      >
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
        {filtered && (
          <ButtonLink href={query.perPage === DEFAULT_PER_PAGE ? "/vms" : `/vms?perPage=${query.perPage}`} variant="ghost">
            Clear
          </ButtonLink>
        )}
        <p className="basis-full text-xs text-muted">{SEARCH_HINT}</p>
      </FilterForm>
      {problems.length > 0 && (
        <div role="status" aria-label="Search terms not understood" className="rounded-md border border-warn/40 bg-warn-soft px-3 py-2 text-sm">
          <ul className="space-y-1">
            {problems.map((problem) => (
              <li key={problem.term}>
                <code className="font-mono text-xs">{problem.term}</code>: {problem.message}
                {problem.suggestion && problem.href && (
                  <>
                    {" "}
                    Did you mean{" "}
                    <Link href={problem.href} className="font-mono text-xs text-link hover:underline">
                      {problem.suggestion}
                    </Link>
                    ?
                  </>
                )}
              </li>
            ))}
          </ul>
        </div>
      )}
    </div>
  );
}
