import type { IncomingMessage } from "node:http";
import { describe, expect, it } from "vitest";
import { CONSOLE_CLOSE, closeOutcome } from "./close-codes";
import { timeVerdict } from "./open-consoles";
import { consoleClientAddress, consoleTarget, cookieReader, isSameOrigin } from "./request";

const request = (headers: Record<string, string>, remoteAddress = "192.0.2.9") => ({ headers, socket: { remoteAddress } }) as unknown as IncomingMessage;

describe("console requests", () => {
  it("name a VM by uuid and a protocol (rfb unless vt100 is asked), nothing else", () => {
    expect(consoleTarget("/api/consoles/3f2a-01")).toEqual({ vmUuid: "3f2a-01", protocol: "rfb" });
    expect(consoleTarget("/api/consoles/3f2a-01?protocol=vt100")).toEqual({ vmUuid: "3f2a-01", protocol: "vt100" });
    for (const url of ["/api/consoles/", "/api/consoles/a/b", "/api/consoles/..%2f", "/api/consoles/x?protocol=rdp", "/api/live", undefined]) {
      expect(consoleTarget(url), String(url)).toBeNull();
    }
  });

  it("read cookies from the raw header, first value winning", () => {
    const read = cookieReader("a=1; next-auth.session-token=abc=def; a=2; broken; =x");
    expect([read("a"), read("next-auth.session-token"), read("broken"), read("missing")]).toEqual(["1", "abc=def", undefined, undefined]);
  });

  it("must come from XenDeck's own pages: the public URL's origin, or the host the request was sent to", () => {
    expect(isSameOrigin(request({ host: "xendeck.test:3000", origin: "http://xendeck.test:3000" }), null)).toBe(true);
    expect(isSameOrigin(request({ host: "xendeck.test:3000", origin: "http://evil.test:3000" }), null)).toBe(false);
    expect(isSameOrigin(request({ host: "xendeck.test:3000" }), null)).toBe(false);
    expect(isSameOrigin(request({ host: "xendeck.test:3000", origin: "null" }), null)).toBe(false);
    expect(isSameOrigin(request({ host: "127.0.0.1:3000", origin: "https://xendeck.example.net" }), "https://xendeck.example.net")).toBe(true);
    expect(isSameOrigin(request({ host: "xendeck.example.net", origin: "http://xendeck.example.net" }), "https://xendeck.example.net")).toBe(false);
  });

  it("take the client address from the stamped peer, or from the trusted proxies' X-Forwarded-For", () => {
    expect(consoleClientAddress(request({ "x-xendeck-peer-address": "::ffff:198.51.100.7", "x-forwarded-for": "203.0.113.1" }), 0)).toBe("198.51.100.7");
    expect(consoleClientAddress(request({ "x-forwarded-for": "203.0.113.1, 10.0.0.5" }), 1)).toBe("10.0.0.5");
    expect(consoleClientAddress(request({}), 0)).toBe("192.0.2.9");
  });
});

describe("console time limits", () => {
  const limits = { idleTimeoutSeconds: 60, maxDurationSeconds: 3600 };
  it("close an idle console and one open past the maximum duration; 0 means no limit", () => {
    const opened = 1_000_000;
    expect(timeVerdict({ openedAt: opened, lastInputAt: opened + 30_000 }, opened + 60_000, limits)).toBeNull();
    expect(timeVerdict({ openedAt: opened, lastInputAt: opened }, opened + 60_000, limits)?.code).toBe(CONSOLE_CLOSE.idle);
    expect(timeVerdict({ openedAt: opened, lastInputAt: opened + 3_599_000 }, opened + 3_600_000, limits)?.code).toBe(CONSOLE_CLOSE.maxDuration);
    expect(timeVerdict({ openedAt: 0, lastInputAt: 0 }, 10 ** 12, { idleTimeoutSeconds: 0, maxDurationSeconds: 0 })).toBeNull();
  });
});

describe("console close codes, as the widget reads them", () => {
  it("reconnects by itself after a reboot or a lost connection, stops with the reason when access is gone", () => {
    expect(closeOutcome(CONSOLE_CLOSE.consoleEnded, "").reconnect).toBe("auto");
    expect(closeOutcome(1006, "").reconnect).toBe("auto");
    expect(closeOutcome(CONSOLE_CLOSE.notAllowed, "You no longer have access to this console.")).toEqual({
      reconnect: "never",
      message: "You no longer have access to this console.",
    });
    expect(closeOutcome(CONSOLE_CLOSE.sessionEnded, "").signIn).toBe(true);
    expect(closeOutcome(CONSOLE_CLOSE.idle, "Closed after a while.")).toEqual({ reconnect: "manual", message: "Closed after a while." });
  });
});
