import { describe, expect, it } from "vitest";
import { clientAddressFromHeaders, currentClientAddress, runWithClientAddress } from "./request-context";

const xff = (value: string) => new Headers({ "x-forwarded-for": value });

describe("client address", () => {
  it("uses the address Next.js or the nearest proxy recorded when no proxy is trusted", () => {
    expect(clientAddressFromHeaders(xff("192.0.2.10"), 0)).toBe("192.0.2.10");
    expect(clientAddressFromHeaders(xff("10.0.0.1, 192.0.2.10"), 0)).toBe("192.0.2.10");
  });

  it("skips the trusted proxies' own hops, ignoring what the client wrote before them", () => {
    // client forged "6.6.6.6"; proxy 1 appended the real client 198.51.100.4; proxy 2 appended proxy 1.
    expect(clientAddressFromHeaders(xff("6.6.6.6, 198.51.100.4, 10.0.0.2"), 2)).toBe("198.51.100.4");
    expect(clientAddressFromHeaders(xff("6.6.6.6, 198.51.100.4"), 1)).toBe("198.51.100.4");
    expect(clientAddressFromHeaders(xff("198.51.100.4"), 3)).toBe("198.51.100.4");
  });

  it("normalises IPv4-mapped IPv6, ports and brackets, and rejects what is not an address", () => {
    expect(clientAddressFromHeaders(xff("::ffff:192.0.2.1"), 0)).toBe("192.0.2.1");
    expect(clientAddressFromHeaders(xff("192.0.2.1:51234"), 0)).toBe("192.0.2.1");
    expect(clientAddressFromHeaders(xff("[2001:db8::1]:443"), 0)).toBe("2001:db8::1");
    expect(clientAddressFromHeaders(xff("2001:db8::1"), 0)).toBe("2001:db8::1");
    expect(clientAddressFromHeaders(xff("<script>"), 0)).toBeNull();
    expect(clientAddressFromHeaders(new Headers(), 0)).toBeNull();
    expect(clientAddressFromHeaders({ "x-forwarded-for": "192.0.2.5" }, 0)).toBe("192.0.2.5");
  });

  it("gives the address set for the request, and null outside a request", async () => {
    expect(await runWithClientAddress("203.0.113.1", () => currentClientAddress())).toBe("203.0.113.1");
    expect(await currentClientAddress()).toBeNull();
  });
});
