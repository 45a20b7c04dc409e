import { describe, expect, it } from "vitest";
import { PEER_ADDRESS_HEADER } from "./peer-address";
import { clientAddressFromHeaders, currentClientAddress, runWithClientAddress } from "./request-context";

/** A request as XenDeck's server hands it to the app: the socket's peer stamped, X-Forwarded-For as received. */
const request = (peer: string | null, forwardedFor?: string) =>
  new Headers({ ...(peer === null ? {} : { [PEER_ADDRESS_HEADER]: peer }), ...(forwardedFor === undefined ? {} : { "x-forwarded-for": forwardedFor }) });

describe("client address without a trusted proxy (XENDECK_TRUSTED_PROXIES=0)", () => {
  it("is the socket's peer, whatever X-Forwarded-For claims", () => {
    expect(clientAddressFromHeaders(request("203.0.113.9"), 0)).toBe("203.0.113.9");
    expect(clientAddressFromHeaders(request("203.0.113.9", "6.6.6.6"), 0)).toBe("203.0.113.9");
    expect(clientAddressFromHeaders(request("203.0.113.9", "6.6.6.6, 7.7.7.7"), 0)).toBe("203.0.113.9");
  });

  it("is unknown when the request did not come through XenDeck's server, even with X-Forwarded-For", () => {
    expect(clientAddressFromHeaders(request(null, "6.6.6.6"), 0)).toBeNull();
  });
});

describe("client address behind N trusted proxies", () => {
  it("is the N-th address from the right of X-Forwarded-For, ignoring what the client wrote before it", () => {
    // The client forged 6.6.6.6; proxy 1 appended the real client 198.51.100.4; proxy 2 appended proxy 1.
    expect(clientAddressFromHeaders(request("10.0.0.3", "6.6.6.6, 198.51.100.4, 10.0.0.2"), 2)).toBe("198.51.100.4");
    expect(clientAddressFromHeaders(request("10.0.0.2", "6.6.6.6, 198.51.100.4"), 1)).toBe("198.51.100.4");
    expect(clientAddressFromHeaders(request("10.0.0.2", "198.51.100.4"), 1)).toBe("198.51.100.4");
  });

  it("falls back to the peer when X-Forwarded-For has fewer entries than proxies", () => {
    expect(clientAddressFromHeaders(request("192.0.2.7"), 1)).toBe("192.0.2.7");
    expect(clientAddressFromHeaders(request("192.0.2.7", "198.51.100.4"), 2)).toBe("192.0.2.7");
    expect(clientAddressFromHeaders(request("192.0.2.7", " , "), 1)).toBe("192.0.2.7");
  });

  it("gives no address when the entry a trusted proxy should have written is not one", () => {
    expect(clientAddressFromHeaders(request("10.0.0.2", "198.51.100.4, <script>"), 1)).toBeNull();
  });
});

describe("address syntax", () => {
  it("normalises IPv4-mapped IPv6, ports and brackets, and rejects what is not an address", () => {
    expect(clientAddressFromHeaders(request("::ffff:192.0.2.1"), 0)).toBe("192.0.2.1");
    expect(clientAddressFromHeaders(request("::1"), 0)).toBe("::1");
    expect(clientAddressFromHeaders(request("10.0.0.2", "192.0.2.1:51234"), 1)).toBe("192.0.2.1");
    expect(clientAddressFromHeaders(request("10.0.0.2", "[2001:db8::1]:443"), 1)).toBe("2001:db8::1");
    expect(clientAddressFromHeaders(request("10.0.0.2", "2001:db8::1"), 1)).toBe("2001:db8::1");
    expect(clientAddressFromHeaders(request("not-an-address"), 0)).toBeNull();
    expect(clientAddressFromHeaders(new Headers(), 0)).toBeNull();
    expect(clientAddressFromHeaders({ [PEER_ADDRESS_HEADER]: "192.0.2.5", "x-forwarded-for": "6.6.6.6" }, 0)).toBe("192.0.2.5");
    expect(clientAddressFromHeaders({ [PEER_ADDRESS_HEADER]: "10.0.0.2", "x-forwarded-for": ["6.6.6.6", "192.0.2.5"] }, 1)).toBe("192.0.2.5");
  });
});

describe("current request", () => {
  it("gives the address set for the request, and null outside a request", async () => {
    expect(await runWithClientAddress("203.0.113.1", () => currentClientAddress())).toBe("203.0.113.1");
    expect(await currentClientAddress()).toBeNull();
  });
});
