/** @module Runs background work under a store lease, so that one replica does it at a time. */
import type { Ctx } from "./context.ts";

/** How long a lease holds without renewal: longer than one reconcile or reap pass should take. */
export const LEASE_TTL_MS = 5 * 60_000;

/** Runs `fn` while holding the named lease; `undefined` when another holder has it. */
export async function withLease<T>(ctx: Ctx, name: string, holder: string, fn: () => Promise<T>): Promise<T | undefined> {
  const { leases } = ctx.deps.store;
  if (!(await leases.acquire(name, holder, LEASE_TTL_MS, ctx.now()))) return undefined;
  try {
    return await fn();
  } finally {
    await leases.release(name, holder).catch((error: unknown) => ctx.logger.warn("lease release failed", { name, error: String(error) }));
  }
}
