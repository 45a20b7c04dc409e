import { createElement as h } from "react";
import { renderToStaticMarkup } from "react-dom/server";
import { describe, expect, it } from "vitest";
import { CheckboxField, SelectField, TextField } from "./field";

const attr = (html: string, tag: string, name: string) => new RegExp(`<${tag}[^>]*\\s${name}="([^"]*)"`).exec(html)?.[1];

describe("form fields", () => {
  it("label the control and tie hint and errors to it", () => {
    const html = renderToStaticMarkup(h(TextField, { label: "Pool address", name: "url", hint: "Any member.", error: ["Enter a URL."] }));
    const id = attr(html, "input", "id")!;
    expect(attr(html, "label", "for")).toBe(id);
    expect(attr(html, "input", "aria-invalid")).toBe("true");
    const [hintId, errorId] = attr(html, "input", "aria-describedby")!.split(" ");
    expect(html).toContain(`id="${hintId}" class="text-xs text-muted">Any member.</p>`);
    expect(html).toMatch(new RegExp(`id="${errorId}" aria-live="polite"[^>]*><p>Enter a URL\\.</p>`));
  });

  it("keep the error live region, empty, when valid", () => {
    const html = renderToStaticMarkup(h(TextField, { label: "Label", name: "label" }));
    expect(html).not.toContain("aria-invalid=");
    const errorId = attr(html, "input", "aria-describedby")!;
    expect(html).toMatch(new RegExp(`<div id="${errorId}" aria-live="polite" aria-atomic="true"[^>]*></div>`));
  });

  it("list several errors", () => {
    const html = renderToStaticMarkup(h(TextField, { label: "Password", name: "p", error: ["Too short.", "Too common."] }));
    expect(html).toContain("<li>Too short.</li><li>Too common.</li>");
  });

  it("render select options with a placeholder, and checkboxes with their label", () => {
    const select = renderToStaticMarkup(
      h(SelectField, { label: "Host", name: "host", placeholder: "Choose…", options: [{ value: "h1", label: "xcp-1" }], error: "Pick one." }),
    );
    expect(select).toContain('<option value="">Choose…</option><option value="h1">xcp-1</option>');
    expect(attr(select, "select", "aria-invalid")).toBe("true");
    const checkbox = renderToStaticMarkup(h(CheckboxField, { label: "Read-only", name: "readOnly" }));
    expect(attr(checkbox, "label", "for")).toBe(attr(checkbox, "input", "id"));
    expect(attr(checkbox, "input", "type")).toBe("checkbox");
  });
});
