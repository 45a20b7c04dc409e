import { describe, expect, it } from "vitest";
import { auditFilterSchema } from "@/lib/audit/query";
import { AUDIT_ACTION_SUGGESTIONS, auditSearchParams, parseAuditSearch, utcTime } from "./audit-filters";

describe("parseAuditSearch", () => {
  it("maps the URL to the repository's filter, with paging", () => {
    const search = parseAuditSearch({ user: " Olivia ", action: "vm.*", kind: "vm", object: "abc", outcome: "refused", page: "3", perPage: "100" });
    expect(search.filter).toEqual({ user: "Olivia", action: "vm.*", objectKind: "vm", object: "abc", outcome: "refused", from: "", to: "" });
    expect(search.page).toBe(3);
    expect(search.perPage).toBe(100);
    expect(auditFilterSchema.parse(search.filter)).toEqual({ user: "Olivia", action: "vm.*", objectKind: "vm", object: "abc", outcome: "refused" });
  });

  it("reads times without a zone as UTC, a bare date as the whole day", () => {
    const search = parseAuditSearch({ from: "2025-03-01", to: "2025-03-02T10:15" });
    const parsed = auditFilterSchema.parse(search.filter);
    expect(parsed.from?.toISOString()).toBe("2025-03-01T00:00:00.000Z");
    expect(parsed.to?.toISOString()).toBe("2025-03-02T10:15:59.999Z");
    expect(utcTime("2025-03-02", true)).toBe("2025-03-02T23:59:59.999Z");
    expect(utcTime("2025-03-02T10:15:30", false)).toBe("2025-03-02T10:15:30Z");
    expect(utcTime("2025-03-02T10:15:30+02:00", false)).toBe("2025-03-02T10:15:30+02:00");
  });

  it("falls back to defaults for bad paging, and lets the repository name a bad date", () => {
    const search = parseAuditSearch({ page: "-4", perPage: "7", from: "last tuesday", user: ["a", "b"] });
    expect(search.page).toBe(1);
    expect(search.perPage).toBe(50);
    expect(search.values.user).toBe("a");
    const parsed = auditFilterSchema.safeParse(search.filter);
    expect(parsed.success).toBe(false);
    expect(parsed.error?.issues[0]?.path).toEqual(["from"]);
    expect(parseAuditSearch({ page: "999999999999" }).page).toBe(1_000_000);
    expect(parseAuditSearch({ outcome: "maybe" }).filter.outcome).toBe("maybe"); // refused by the schema, shown as an error
  });
});

describe("auditSearchParams", () => {
  it("keeps the filter, leaves defaults out, and adds the page or export format", () => {
    const search = parseAuditSearch({ user: "olivia", outcome: "refused", perPage: "50", page: "2" });
    expect(auditSearchParams(search)).toEqual({ user: "olivia", outcome: "refused" });
    expect(auditSearchParams(search, { page: 4 })).toEqual({ user: "olivia", outcome: "refused", page: "4" });
    expect(auditSearchParams(search, { page: 1, format: "csv" })).toEqual({ user: "olivia", outcome: "refused", format: "csv" });
    expect(auditSearchParams(parseAuditSearch({ perPage: "200" }))).toEqual({ perPage: "200" });
  });
});

describe("AUDIT_ACTION_SUGGESTIONS", () => {
  it("are valid filters and list no action twice", () => {
    expect(new Set(AUDIT_ACTION_SUGGESTIONS).size).toBe(AUDIT_ACTION_SUGGESTIONS.length);
    for (const action of AUDIT_ACTION_SUGGESTIONS) expect(auditFilterSchema.safeParse({ action }).success).toBe(true);
    expect(AUDIT_ACTION_SUGGESTIONS).toContain("vm.shutdown.hard");
  });
});
