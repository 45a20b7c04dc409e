import { createElement as h } from "react";
import { renderToStaticMarkup } from "react-dom/server";
import { describe, expect, it } from "vitest";
import { SortHeader } from "./data-table";
import { pageWindow, Pagination } from "./pagination";

const header = (props: Parameters<typeof SortHeader>[0]) => renderToStaticMarkup(h("table", null, h("thead", null, h("tr", null, h(SortHeader, props)))));

describe("SortHeader", () => {
  it("marks the current sort with aria-sort and links to the next one", () => {
    const html = header({ label: "Name", href: "/vms?sort=name&dir=desc", active: true, dir: "asc" });
    expect(html).toContain('aria-sort="ascending"');
    expect(html).toContain('href="/vms?sort=name&amp;dir=desc"');
    expect(html).toContain(", sort descending");
  });

  it("has no aria-sort on other columns", () => {
    const html = header({ label: "Memory", href: "/vms?sort=memory&dir=desc", active: false, dir: "asc", numeric: true });
    expect(html).not.toContain("aria-sort");
    expect(html).toContain(", sort ascending");
    expect(
      renderToStaticMarkup(h("table", null, h("thead", null, h("tr", null, h(SortHeader, { label: "IP", href: "/", active: true, dir: "desc" }))))),
    ).toContain('aria-sort="descending"');
  });
});

describe("pageWindow", () => {
  it.each([
    [1, 1, [1]],
    [1, 2, [1, 2]],
    [1, 7, [1, 2, 3, null, 7]],
    [3, 10, [1, 2, 3, 4, 5, null, 10]],
    [5, 10, [1, 2, 3, 4, 5, 6, 7, null, 10]],
    [6, 200, [1, null, 4, 5, 6, 7, 8, null, 200]],
    [10, 10, [1, null, 8, 9, 10]],
  ])("page %d of %d → %j", (page, pages, expected) => {
    expect(pageWindow(page, pages)).toEqual(expected);
  });
});

describe("Pagination", () => {
  const render = (page: number, pages: number, total: number) =>
    renderToStaticMarkup(h(Pagination, { page, pages, total, perPage: 50, hrefForPage: (p) => `/vms?page=${p}`, itemName: "VMs" }));

  it("summarises the range and links every page but the current one", () => {
    const html = render(2, 3, 120);
    expect(html).toContain("51–100 of 120 VMs");
    expect(html).toMatch(/aria-current="page"[^>]*><span class="sr-only">Page <\/span>2</);
    expect(html).toContain('href="/vms?page=1"');
    expect(html).toContain('href="/vms?page=3"');
    expect(html).not.toContain('href="/vms?page=2"');
    expect(html).toMatch(/aria-label="Previous page"[^>]*href="\/vms\?page=1"/);
    expect(html).toMatch(/aria-label="Next page"[^>]*href="\/vms\?page=3"/);
  });

  it("disables previous on the first page and next on the last", () => {
    expect(render(1, 3, 120)).toMatch(/<span aria-disabled="true" aria-label="Previous page"/);
    expect(render(3, 3, 120)).toMatch(/<span aria-disabled="true" aria-label="Next page"/);
  });

  it("shows no page links for a single page, and says when there is nothing", () => {
    expect(render(1, 1, 10)).not.toContain("<nav");
    expect(render(1, 1, 0)).toContain("No VMs");
  });
});
