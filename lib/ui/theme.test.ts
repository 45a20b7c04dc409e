import { describe, expect, it } from "vitest";
import { nextTheme, THEME_COOKIE, themeCookieAssignment, themeFromCookie, themeInitScript } from "./theme";

/** Runs the inline <head> script against a fake document, as the browser would before first paint. */
function runInitScript(cookie: string): string | undefined {
  const attributes: Record<string, string> = {};
  const document = { cookie, documentElement: { setAttribute: (k: string, v: string) => (attributes[k] = v) } };
  new Function("document", themeInitScript)(document);
  return attributes["data-theme"];
}

describe("theme preference", () => {
  it("the init script applies a stored light or dark choice", () => {
    expect(runInitScript(`a=1; ${THEME_COOKIE}=dark; b=2`)).toBe("dark");
    expect(runInitScript(`${THEME_COOKIE}=light`)).toBe("light");
  });

  it("the init script leaves the OS in charge otherwise", () => {
    expect(runInitScript("")).toBeUndefined();
    expect(runInitScript(`${THEME_COOKIE}=purple`)).toBeUndefined();
    expect(runInitScript(`x${THEME_COOKIE}=dark`)).toBeUndefined();
    expect(runInitScript(`${THEME_COOKIE}=darker`)).toBeUndefined();
  });

  it("the init script survives a document whose cookie getter throws", () => {
    const document = {
      get cookie(): string {
        throw new Error("blocked");
      },
    };
    expect(() => new Function("document", themeInitScript)(document)).not.toThrow();
  });

  it("reads back what it writes", () => {
    for (const theme of ["light", "dark"] as const) {
      const assignment = themeCookieAssignment(theme);
      expect(themeFromCookie(assignment.split(";")[0]!)).toBe(theme);
    }
    expect(themeCookieAssignment("system")).toContain("max-age=0");
    expect(themeFromCookie("other=dark")).toBe("system");
  });

  it("cycles system → light → dark → system", () => {
    expect([nextTheme("system"), nextTheme("light"), nextTheme("dark")]).toEqual(["light", "dark", "system"]);
  });
});
