/**
 * @module The client's address: the socket's peer, or — only when the peer is a trusted proxy —
 * the right-most untrusted address of X-Forwarded-For. Trusted proxies are addresses or CIDRs.
 */
import { BlockList, isIP } from "node:net";
import type { Context } from "hono";
import { getConnInfo } from "@hono/node-server/conninfo";
import { AppError } from "@calipso/core";

/** `::ffff:127.0.0.1` → `127.0.0.1`. */
export function normaliseAddress(address: string | undefined): string | undefined {
  if (!address) return undefined;
  const m = /^::ffff:(\d+\.\d+\.\d+\.\d+)$/i.exec(address);
  return m ? m[1] : address;
}

/** A matcher over addresses and CIDRs (IPv4 and IPv6). */
export function createAddressMatcher(entries: readonly string[]): (address: string | undefined) => boolean {
  const list = new BlockList();
  for (const entry of entries) {
    const [ip, bits] = entry.split("/");
    const family = isIP(ip ?? "");
    if (!family) throw new AppError("INVALID_CONFIG", { detail: `server.trustedProxies: '${entry}' is not an address or CIDR` });
    const type = family === 6 ? "ipv6" : "ipv4";
    if (bits === undefined) list.addAddress(ip!, type);
    else {
      const prefix = Number(bits);
      if (!Number.isInteger(prefix) || prefix < 0 || prefix > (family === 6 ? 128 : 32)) throw new AppError("INVALID_CONFIG", { detail: `server.trustedProxies: bad prefix in '${entry}'` });
      list.addSubnet(ip!, prefix, type);
    }
  }
  return (address) => {
    const a = normaliseAddress(address);
    if (!a) return false;
    const family = isIP(a);
    return family !== 0 && list.check(a, family === 6 ? "ipv6" : "ipv4");
  };
}

/** The socket peer of a Node request (undefined outside Node, e.g. in `app.request` tests). */
export function peerAddress(c: Context): string | undefined {
  try {
    return normaliseAddress(getConnInfo(c).remote.address);
  } catch {
    return undefined;
  }
}

/** The client address for rate limits and logs, honouring X-Forwarded-For only from trusted proxies. */
export function clientAddressResolver(trusted: (address: string | undefined) => boolean) {
  return (c: Context): string | undefined => {
    const peer = peerAddress(c);
    if (!peer || !trusted(peer)) return peer;
    const forwarded = c.req.header("x-forwarded-for");
    if (!forwarded) return peer;
    const hops = forwarded.split(",").map((s) => normaliseAddress(s.trim())).filter((s): s is string => !!s && isIP(s) !== 0);
    for (let i = hops.length - 1; i >= 0; i--) if (!trusted(hops[i])) return hops[i];
    return hops[0] ?? peer;
  };
}
