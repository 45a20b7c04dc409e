"use client";

/**
 * Row selection for tables with bulk actions (start/stop several VMs at once).
 *
 * The checkboxes are real form fields: each `RowCheckbox` is `<input type="checkbox" name={name} value={id}
 * form={formId}>`, so a bulk-action <form id={formId} action={serverAction}> placed anywhere on the page receives
 * the selected ids as `formData.getAll(name)` — the server action then re-checks every id. The client part only
 * adds "select all", the indeterminate state and the live count.
 *
 *   <RowSelection ids={rows.map(r => r.uuid)} formId="vm-bulk" name="vm">
 *     <SelectionCount />  … <DataTable>… <SelectAllHeader label="Select all VMs on this page" /> …
 *       <SelectCell id={row.uuid} label={`Select ${row.name}`} /> …
 *   </RowSelection>
 *   <form id="vm-bulk" action={bulkStart}>…</form>
 *
 * Selection lives per page: when `ids` changes (another page, a live refresh), ids no longer shown are dropped.
 * `useRowSelection()` gives client components (a bulk-action bar) the selected ids and `clear()`.
 *
 * Beyond the page: with `allIds` (every row matching the list's filters, on every page), a bar can offer to
 * select them all once the whole page is (`selectAllMatching()`); the selection is then every id of `allIds`, as
 * it stands at each render, until a row is unticked or the selection is cleared.
 */
import { createContext, use, useEffect, useMemo, useRef, useState, type ReactNode } from "react";
import { cx } from "./classes";
import { HEADER_CELL } from "./data-table";

interface SelectionState {
  ids: readonly string[];
  selected: ReadonlySet<string>;
  formId?: string;
  name: string;
  toggle: (id: string, checked: boolean) => void;
  setAll: (checked: boolean) => void;
  clear: () => void;
  /** Every matching id (all pages), when selecting them all is allowed. */
  allIds: readonly string[] | null;
  /** Every matching row is selected. */
  allMatching: boolean;
  selectAllMatching: () => void;
}

const SelectionContext = createContext<SelectionState | null>(null);

/** Selected ids: among those shown, in row order; or every matching one. */
function selectedIds(state: SelectionState): string[] {
  if (state.allMatching && state.allIds) return [...state.allIds];
  return state.ids.filter((id) => state.selected.has(id));
}

export function RowSelection({
  ids,
  allIds = null,
  formId,
  name = "id",
  children,
}: {
  /** Ids of the selectable rows currently shown. */
  ids: readonly string[];
  /** Ids of every row matching the list's filters, when "select all matching" may be offered. */
  allIds?: readonly string[] | null;
  /** id of the <form> the checkboxes belong to (may be outside this subtree). */
  formId?: string;
  /** Form field name of the checkboxes. */
  name?: string;
  children: ReactNode;
}) {
  const [checked, setChecked] = useState<ReadonlySet<string>>(() => new Set());
  const [everything, setEverything] = useState(false);
  const allMatching = everything && allIds !== null;
  const idsKey = ids.join("\n");

  // Only ids still on screen count as selected, so an action never applies to an invisible row (and the next
  // toggle starts from what is visible, forgetting the rest).
  const selected = useMemo<ReadonlySet<string>>(() => {
    const shown = new Set(idsKey ? idsKey.split("\n") : []);
    const kept = [...checked].filter((id) => shown.has(id));
    return kept.length === checked.size ? checked : new Set(kept);
  }, [checked, idsKey]);

  const state = useMemo<SelectionState>(
    () => ({
      ids,
      // Every matching row selected: every row shown is ticked.
      selected: allMatching ? new Set(ids) : selected,
      formId,
      name,
      toggle: (id, on) => {
        const next = new Set(allMatching ? ids : selected);
        if (on) next.add(id);
        else next.delete(id);
        setEverything(false);
        setChecked(next);
      },
      setAll: (on) => {
        setEverything(false);
        setChecked(on ? new Set(ids) : new Set());
      },
      clear: () => {
        setEverything(false);
        setChecked(new Set());
      },
      allIds,
      allMatching,
      selectAllMatching: () => setEverything(true),
    }),
    [ids, selected, formId, name, allIds, allMatching],
  );

  return <SelectionContext value={state}>{children}</SelectionContext>;
}

/**
 * The selection, for a bulk-action bar: `{ selected: string[], count, clear }`, and what "select all matching"
 * needs: how many rows are shown (`shownCount`) and match (`matchingCount`, null when they may not all be
 * selected), whether they all are (`allMatching`), and `selectAllMatching()`.
 */
export function useRowSelection() {
  const state = use(SelectionContext);
  if (!state) throw new Error("useRowSelection must be used inside <RowSelection>");
  const selected = selectedIds(state);
  return {
    selected,
    count: selected.length,
    clear: state.clear,
    shownCount: state.ids.length,
    matchingCount: state.allIds?.length ?? null,
    allMatching: state.allMatching,
    selectAllMatching: state.selectAllMatching,
  };
}

/** Header cell with the "select all on this page" checkbox (checked, unchecked or indeterminate). */
export function SelectAllHeader({ label }: { label: string }) {
  const state = use(SelectionContext);
  const ref = useRef<HTMLInputElement>(null);
  const total = state?.ids.length ?? 0;
  const count = state ? state.ids.filter((id) => state.selected.has(id)).length : 0;
  const all = total > 0 && count === total;
  const some = count > 0 && !all;

  useEffect(() => {
    if (ref.current) ref.current.indeterminate = some;
  }, [some]);

  return (
    <th scope="col" className={cx(HEADER_CELL, "w-9 pr-0 pl-3")}>
      <input ref={ref} type="checkbox" aria-label={label} checked={all} disabled={!state || total === 0} onChange={(e) => state?.setAll(e.target.checked)} />
    </th>
  );
}

/** Body cell with one row's checkbox; `label` names the row ("Select web-01"). */
export function SelectCell({ id, label }: { id: string; label: string }) {
  const state = use(SelectionContext);
  return (
    <td className="w-9 pr-0">
      <input
        type="checkbox"
        aria-label={label}
        name={state?.name ?? "id"}
        value={id}
        form={state?.formId}
        checked={state?.selected.has(id) ?? false}
        disabled={!state}
        onChange={(e) => state?.toggle(id, e.target.checked)}
      />
    </td>
  );
}

/** "3 selected" (announced politely as it changes); renders nothing visible when none are. */
export function SelectionCount({ className }: { className?: string }) {
  const state = use(SelectionContext);
  const count = state ? selectedIds(state).length : 0;
  return (
    <span aria-live="polite" className={className ?? "text-xs text-muted"}>
      {count > 0 ? `${count} selected` : ""}
    </span>
  );
}
