import { Hono } from "hono";
import { describe, expect, it } from "vitest";
import { clientAddressResolver, createAddressMatcher, normaliseAddress } from "./client-address.ts";

describe("[server/client-address] trusted proxies and the client address", () => {
  it("matches addresses and CIDRs, IPv4 and IPv6 (and IPv4-mapped IPv6)", () => {
    const m = createAddressMatcher(["10.0.0.0/8", "192.168.1.7", "fd00::/8"]);
    expect(m("10.1.2.3")).toBe(true);
    expect(m("::ffff:10.1.2.3")).toBe(true);
    expect(m("192.168.1.7")).toBe(true);
    expect(m("192.168.1.8")).toBe(false);
    expect(m("fd12::1")).toBe(true);
    expect(m("2001:db8::1")).toBe(false);
    expect(m(undefined)).toBe(false);
    expect(normaliseAddress("::ffff:127.0.0.1")).toBe("127.0.0.1");
  });

  it("refuses malformed entries with the config path", () => {
    expect(() => createAddressMatcher(["not-an-ip"])).toThrow(/server\.trustedProxies/);
    expect(() => createAddressMatcher(["10.0.0.0/33"])).toThrow(/bad prefix/);
  });

  it("believes X-Forwarded-For only from a trusted peer, taking the right-most untrusted hop", async () => {
    const resolve = clientAddressResolver(createAddressMatcher(["10.0.0.0/8"]));
    const app = new Hono<{ Bindings: { incoming: { socket: { remoteAddress: string; remotePort: number; remoteFamily: string } } } }>();
    app.get("/", (c) => c.text(resolve(c) ?? "none"));
    const from = (peer: string, xff?: string) =>
      Promise.resolve(app.request("/", { headers: xff ? { "x-forwarded-for": xff } : {} }, { incoming: { socket: { remoteAddress: peer, remotePort: 1, remoteFamily: "IPv4" } } })).then((r) => r.text());
    expect(await from("203.0.113.9", "1.2.3.4")).toBe("203.0.113.9"); // untrusted peer: header ignored
    expect(await from("10.0.0.2", "198.51.100.1, 1.2.3.4, 10.0.0.5")).toBe("1.2.3.4");
    expect(await from("10.0.0.2")).toBe("10.0.0.2");
  });
});
