/**
 * The alerts pane's filters: a GET form (next/form navigates without a full reload), so the whole view lives in
 * the URL. Submitting goes back to the first page.
 */
import Form from "next/form";
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
      <fieldset className="space-y-1">
        <legend className="mb-1 block text-xs font-medium">Priority</legend>
        <div className="flex flex-wrap gap-1">
          {PRIORITIES.map((priority) => (
            <label
              key={priority}
              className={cx(
                "inline-flex h-8 cursor-pointer items-center gap-1.5 rounded-md border border-line-strong px-2 text-xs select-none",
                "has-[:checked]:border-accent has-[:checked]:bg-selected has-[:focus-visible]:ring-2",
              )}
            >
              <input type="checkbox" name="priority" value={priority} defaultChecked={query.priorities.includes(priority)} className="size-3.5 accent-accent" />
              {PRIORITY_LABELS[priority]}
            </label>
          ))}
        </div>
      </fieldset>
      <div className="space-y-1">
        <label htmlFor="alert-pool" className="block text-xs font-medium">
          Pool
        </label>
        <select id="alert-pool" name="pool" defaultValue={query.pools[0] ?? ""} className={cx(inputClasses, "w-40 pr-8")}>
          <option value="">All pools</option>
          {pools.map((pool) => (
            <option key={pool.id} value={pool.id}>
              {pool.label}
            </option>
          ))}
        </select>
      </div>
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
