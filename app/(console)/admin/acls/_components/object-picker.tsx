"use client";
/**
 * The ACL form's object picker: search pools, hosts, VMs, SRs and networks of every connected pool by name or
 * uuid (a server action does the search, admins only), pick one. The choice goes to the form as two hidden
 * fields, `objectKind` and `objectUuid`; the server looks the object up again before granting anything.
 */
import { useEffect, useId, useRef, useState, useTransition } from "react";
import type { AclObjectKind } from "@/lib/access/can";
import type { ActionResult } from "@/lib/result";
import type { AclObjectDto } from "@/lib/inventory/acl-objects";
import { Badge } from "@/lib/ui/badge";
import { Button } from "@/lib/ui/button";
import { FieldError, inputClasses } from "@/lib/ui/field";
import { Spinner } from "@/lib/ui/progress";
import { cx } from "@/lib/ui/classes";
import { useFieldError } from "@/lib/ui/action-form";
import { KIND_LABELS } from "@/lib/admin/roles";

export type ObjectSearchAction = (input: { query: string; kind: AclObjectKind | "" }) => Promise<ActionResult<{ objects: AclObjectDto[]; total: number }>>;

const KIND_FILTERS: { value: AclObjectKind | ""; label: string }[] = [
  { value: "", label: "All kinds" },
  { value: "pool", label: "Pools" },
  { value: "host", label: "Hosts" },
  { value: "vm", label: "VMs" },
  { value: "sr", label: "SRs" },
  { value: "network", label: "Networks" },
];

const DEBOUNCE_MS = 250;

export function ObjectPicker({ search, initial }: { search: ObjectSearchAction; initial?: AclObjectDto | null }) {
  const id = useId();
  const [selected, setSelected] = useState<AclObjectDto | null>(initial ?? null);
  const [query, setQuery] = useState("");
  const [kind, setKind] = useState<AclObjectKind | "">("");
  const [results, setResults] = useState<{ objects: AclObjectDto[]; total: number } | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [pending, startTransition] = useTransition();
  const latest = useRef(0);
  const searchRef = useRef<HTMLInputElement>(null);
  const errors = [...(useFieldError("objectKind") ?? []), ...(useFieldError("objectUuid") ?? [])];

  function run(text: string, kindFilter: AclObjectKind | "") {
    const request = ++latest.current;
    startTransition(async () => {
      try {
        const result = await search({ query: text, kind: kindFilter });
        if (request !== latest.current) return; // a newer search is under way
        if (result.ok) {
          setResults({ objects: result.objects, total: result.total });
          setError(null);
        } else {
          setResults(null);
          setError(result.error);
        }
      } catch {
        if (request === latest.current) setError("The search failed. Check your connection and try again.");
      }
    });
  }

  // The ACL form empties its fields after a grant (form.reset()): the picker starts afresh with them.
  const fieldsetRef = useRef<HTMLFieldSetElement>(null);
  useEffect(() => {
    const form = fieldsetRef.current?.form;
    if (!form) return;
    const reset = () => {
      setSelected(initial ?? null);
      setQuery("");
      setKind("");
    };
    form.addEventListener("reset", reset);
    return () => form.removeEventListener("reset", reset);
  }, [initial]);

  useEffect(() => {
    if (selected) return;
    const timer = setTimeout(() => run(query, kind), DEBOUNCE_MS);
    return () => clearTimeout(timer);
    // `run` reads only its arguments and refs, so it need not be a dependency.
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, [query, kind, selected]);

  return (
    <fieldset ref={fieldsetRef} className="space-y-1.5" aria-describedby={`${id}-error`}>
      <legend className="mb-1 text-xs font-medium">
        Object
        <span aria-hidden="true" className="text-error-text">
          {" "}
          *
        </span>
      </legend>
      <input type="hidden" name="objectKind" value={selected?.kind ?? ""} />
      <input type="hidden" name="objectUuid" value={selected?.uuid ?? ""} />

      {selected ? (
        <div className="flex flex-wrap items-center gap-2 rounded-md border border-line-strong bg-sunken px-2.5 py-1.5 text-sm">
          <Badge tone="info">{KIND_LABELS[selected.kind]}</Badge>
          <span className="font-medium" data-testid="picked-object">
            {selected.name}
          </span>
          <span className="text-muted">· {selected.poolLabel}</span>
          <span className="font-mono text-xs text-muted">{selected.uuid}</span>
          <Button
            size="sm"
            variant="ghost"
            className="ml-auto"
            onClick={() => {
              setSelected(null);
              setTimeout(() => searchRef.current?.focus(), 0);
            }}
          >
            Change
          </Button>
        </div>
      ) : (
        <div className="space-y-2">
          <div className="flex flex-wrap gap-2">
            <input
              ref={searchRef}
              type="search"
              aria-label="Search objects by name or uuid"
              placeholder="Search by name or uuid…"
              value={query}
              onChange={(event) => setQuery(event.target.value)}
              onKeyDown={(event) => {
                // Enter searches now instead of submitting the ACL form.
                if (event.key === "Enter") {
                  event.preventDefault();
                  run(query, kind);
                }
              }}
              maxLength={200}
              className={cx(inputClasses, "min-w-48 flex-1")}
            />
            <select
              aria-label="Kind of object"
              value={kind}
              onChange={(event) => setKind(event.target.value as AclObjectKind | "")}
              className={cx(inputClasses, "w-auto pr-8")}
            >
              {KIND_FILTERS.map((option) => (
                <option key={option.value} value={option.value}>
                  {option.label}
                </option>
              ))}
            </select>
            {pending && <Spinner label="Searching" />}
          </div>
          {error && <p className="text-sm text-error-text">{error}</p>}
          {results && (
            <div aria-live="polite">
              {results.objects.length === 0 ? (
                <p className="text-sm text-muted">No object matches. Objects of pools that are not connected cannot be picked.</p>
              ) : (
                <ul aria-label="Matching objects" className="max-h-64 divide-y divide-line overflow-y-auto rounded-md border border-line">
                  {results.objects.map((object) => (
                    <li key={`${object.kind}:${object.uuid}`}>
                      <button
                        type="button"
                        onClick={() => setSelected(object)}
                        className="flex w-full flex-wrap items-center gap-2 px-2.5 py-1.5 text-left text-sm hover:bg-hover"
                      >
                        <Badge>{KIND_LABELS[object.kind]}</Badge>
                        <span className="font-medium">{object.name}</span>
                        <span className="text-muted">· {object.poolLabel}</span>
                        <span className="ml-auto font-mono text-xs text-muted">{object.uuid.slice(0, 8)}</span>
                      </button>
                    </li>
                  ))}
                </ul>
              )}
              {results.total > results.objects.length && (
                <p className="mt-1 text-xs text-muted">{results.total - results.objects.length} more match: type more of the name to narrow the list.</p>
              )}
            </div>
          )}
        </div>
      )}
      <FieldError id={`${id}-error`} error={errors} />
    </fieldset>
  );
}
