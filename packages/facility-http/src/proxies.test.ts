import { describe, expect, it } from "vitest";
import { parseProxyEntry, trustedProxyMatcher } from "./proxies.ts";

describe("trusted proxies", () => {
  it("[fh/proxy-01] addresses and CIDRs, IPv4 and IPv6; IPv4-mapped peers match", () => {
    const trusted = trustedProxyMatcher(["10.1.0.0/16", "192.0.2.7", "fd00::/8"])!;
    expect(trusted("10.1.200.3")).toBe(true);
    expect(trusted("::ffff:10.1.0.9")).toBe(true);
    expect(trusted("192.0.2.7")).toBe(true);
    expect(trusted("fd12::1")).toBe(true);
    expect(trusted("10.2.0.1")).toBe(false);
    expect(trusted("192.0.2.8")).toBe(false);
    expect(trusted("fe80::1")).toBe(false);
    expect(trusted("not an ip")).toBe(false);
    expect(trusted(undefined)).toBe(false);
    expect(trustedProxyMatcher([])).toBeUndefined();
  });

  it("[fh/proxy-02] malformed entries are refused", () => {
    for (const bad of ["10.0.0.0/33", "10.0.0.1/8/1", "example.org", "fd00::/129", "10.0.0.0/x"]) expect(parseProxyEntry(bad), bad).toBeUndefined();
  });
});
