import { createElement as h } from "react";
import { renderToStaticMarkup } from "react-dom/server";
import { describe, expect, it } from "vitest";
import { Button, ButtonLink } from "./button";

const render = (element: ReturnType<typeof h>) => renderToStaticMarkup(element);

describe("Button", () => {
  it("is a plain button by default, never an accidental submit", () => {
    const html = render(h(Button, null, "Refresh"));
    expect(html).toMatch(/^<button type="button"[^>]*>Refresh<\/button>$/);
  });

  it("keeps a button with a disabled reason focusable and describes it with the reason", () => {
    const html = render(h(Button, { disabledReason: "The VM is already running", type: "submit", name: "op", value: "start" }, "Start"));
    const button = /<button[^>]*>/.exec(html)![0];
    expect(button).toContain('aria-disabled="true"');
    expect(button).toContain('type="button"');
    expect(button).not.toMatch(/\sdisabled=""/);
    expect(button).not.toContain('name="op"');
    const describedBy = /aria-describedby="([^"]+)"/.exec(button)![1];
    expect(html).toContain(`id="${describedBy}" role="tooltip"`);
    expect(html).toMatch(/role="tooltip"[^>]*>The VM is already running<\/span>/);
  });

  it("keeps its own aria-describedby next to the reason", () => {
    const html = render(h(Button, { disabledReason: "No", "aria-describedby": "help" }, "Go"));
    expect(html).toMatch(/aria-describedby="help \S+"/);
  });

  it("disables and marks busy while pending", () => {
    const button = /<button[^>]*>/.exec(render(h(Button, { pending: true, type: "submit" }, "Save")))![0];
    expect(button).toContain('disabled=""');
    expect(button).toContain('aria-busy="true"');
    expect(button).toContain('type="submit"');
  });
});

describe("ButtonLink", () => {
  it("is a link, or an explained non-link when disabled", () => {
    expect(render(h(ButtonLink, { href: "/pools/new", children: "Register" }))).toMatch(/^<a[^>]*href="\/pools\/new"/);
    const disabled = render(h(ButtonLink, { href: "/pools/new", disabledReason: "Admins only", children: "Register" }));
    expect(disabled).not.toContain("href=");
    expect(disabled).toContain('aria-disabled="true"');
    expect(disabled).toContain(">Admins only</span>");
  });
});
