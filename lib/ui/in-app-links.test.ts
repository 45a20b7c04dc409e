import { describe, expect, it } from "vitest";
import { inAppTarget } from "./in-app-links";

const BASE = "https://xendeck.example.net/vms?q=web";

/** A click on an element inside a link with these attributes (or on no link at all). */
function click(
  attributes: Record<string, string> | null,
  keys: Partial<{ button: number; metaKey: boolean; ctrlKey: boolean; shiftKey: boolean; altKey: boolean; defaultPrevented: boolean }> = {},
) {
  const link = attributes && {
    getAttribute: (name: string) => attributes[name] ?? null,
    hasAttribute: (name: string) => name in attributes,
  };
  return {
    button: 0,
    metaKey: false,
    ctrlKey: false,
    shiftKey: false,
    altKey: false,
    defaultPrevented: false,
    ...keys,
    target: { closest: (selector: string) => (selector === "a[href]" ? link : null) },
  };
}

describe("inAppTarget", () => {
  it("takes over a plain left click on a link of the app", () => {
    expect(inAppTarget(click({ href: "/vms/3a76422d" }), BASE)).toBe("/vms/3a76422d");
    expect(inAppTarget(click({ href: "?page=2#top" }), BASE)).toBe("/vms?page=2#top");
    expect(inAppTarget(click({ href: "https://xendeck.example.net/hosts" }), BASE)).toBe("/hosts");
  });

  it("leaves new tabs, windows and downloads to the browser", () => {
    for (const keys of [{ button: 1 }, { metaKey: true }, { ctrlKey: true }, { shiftKey: true }, { altKey: true }, { defaultPrevented: true }]) {
      expect(inAppTarget(click({ href: "/vms/3a76422d" }, keys), BASE)).toBeNull();
    }
    expect(inAppTarget(click({ href: "/vms/3a76422d", target: "_blank" }), BASE)).toBeNull();
    expect(inAppTarget(click({ href: "/export.csv", download: "" }), BASE)).toBeNull();
  });

  it("leaves other sites and clicks outside links alone", () => {
    expect(inAppTarget(click({ href: "https://xcp-ng.org/docs" }), BASE)).toBeNull();
    expect(inAppTarget(click(null), BASE)).toBeNull();
    expect(inAppTarget({ ...click(null), target: null }, BASE)).toBeNull();
  });
});
