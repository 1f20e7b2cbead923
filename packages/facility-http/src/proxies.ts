/** @module Trusted proxy addresses and CIDRs for federated logins (Node's `net.BlockList`). */
import { BlockList, isIP } from "node:net";

/** Parses `10.0.0.1`, `10.0.0.0/8`, `::1`, `fd00::/8`; returns `undefined` for anything else. */
export function parseProxyEntry(entry: string): { address: string; prefix?: number; family: "ipv4" | "ipv6" } | undefined {
  const [address = "", prefixText, extra] = entry.trim().split("/");
  const version = isIP(address);
  if (version === 0 || extra !== undefined) return undefined;
  const family = version === 4 ? "ipv4" : "ipv6";
  if (prefixText === undefined) return { address, family };
  if (!/^\d{1,3}$/.test(prefixText)) return undefined;
  const prefix = Number(prefixText);
  return prefix <= (version === 4 ? 32 : 128) ? { address, prefix, family } : undefined;
}

/** A matcher for a list of addresses/CIDRs; IPv4-mapped IPv6 peers (`::ffff:10.0.0.1`) match their IPv4 entry. */
export function trustedProxyMatcher(entries: readonly string[]): ((address: string | undefined) => boolean) | undefined {
  if (entries.length === 0) return undefined;
  const list = new BlockList();
  for (const entry of entries) {
    const e = parseProxyEntry(entry)!;
    if (e.prefix !== undefined) list.addSubnet(e.address, e.prefix, e.family);
    else list.addAddress(e.address, e.family);
  }
  return (address) => {
    if (address === undefined) return false;
    let a = address.trim().toLowerCase();
    if (a.startsWith("::ffff:") && isIP(a.slice(7)) === 4) a = a.slice(7);
    const version = isIP(a);
    return version !== 0 && list.check(a, version === 4 ? "ipv4" : "ipv6");
  };
}
