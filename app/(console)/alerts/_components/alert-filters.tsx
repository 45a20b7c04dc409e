/**
 * The alerts pane's filters: a GET form (next/form navigates without a full reload), so the whole view lives in
 * the URL. Submitting goes back to the first page.
 */
import Form from "next/form";
import { CheckboxChips, PoolSelect } from "@/app/(console)/_components/filter-fields";
import { PRIORITIES, PRIORITY_LABELS } from "@/lib/alerts/alert-text";
import { SINCE_OPTIONS, type AlertQuery } from "@/lib/alerts/alert-query";
import { Button, ButtonLink } from "@/lib/ui/button";
import { cx } from "@/lib/ui/classes";
import { inputClasses } from "@/lib/ui/field";

export function AlertFilters({ query, pools }: { query: AlertQuery; pools: { id: string; label: string }[] }) {
  const filtered = query.priorities.length > 0 || query.pools.length > 0 || query.object !== "" || query.q !== "" || query.since !== null;
  return (
    <Form action="/alerts" className="flex flex-wrap items-end gap-x-3 gap-y-2" role="search" aria-label="Filter alerts">
      <div className="min-w-48 flex-1 space-y-1">
        <label htmlFor="alert-text" className="block text-xs font-medium">
          Text
        </label>
        <input
          id="alert-text"
          name="q"
          type="search"
          defaultValue={query.q}
          placeholder="cpu, certificate, VM_CRASHED…"
          className={inputClasses}
          maxLength={200}
        />
      </div>
      <div className="min-w-40 flex-1 space-y-1">
        <label htmlFor="alert-object" className="block text-xs font-medium">
          Object
        </label>
        <input id="alert-object" name="object" type="search" defaultValue={query.object} placeholder="Name or uuid" className={inputClasses} maxLength={200} />
      </div>
      <CheckboxChips
        legend="Priority"
        name="priority"
        options={PRIORITIES.map((priority) => ({ value: String(priority), label: PRIORITY_LABELS[priority] }))}
        checked={query.priorities.map(String)}
      />
      <PoolSelect id="alert-pool" pools={pools} selected={query.pools[0] ?? ""} />
      <div className="space-y-1">
        <label htmlFor="alert-since" className="block text-xs font-medium">
          Time
        </label>
        <select id="alert-since" name="since" defaultValue={query.since ?? ""} className={cx(inputClasses, "w-36 pr-8")}>
          <option value="">Any time</option>
          {Object.entries(SINCE_OPTIONS).map(([value, option]) => (
            <option key={value} value={value}>
              {option.label}
            </option>
          ))}
        </select>
      </div>
      <div className="flex gap-2">
        <Button type="submit" variant="primary" icon="search">
          Apply
        </Button>
        {filtered && (
          <ButtonLink href="/alerts" variant="ghost">
            Clear
          </ButtonLink>
        )}
      </div>
    </Form>
  );
}
