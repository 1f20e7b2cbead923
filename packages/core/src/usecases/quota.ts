/** @module Quota: the limits that apply to a user (override or configured default) and current usage. */
import type { Quota } from "../domain/quota.ts";
import type { User } from "../domain/user.ts";
import type { Ctx } from "./context.ts";

/** The quota of a user id. */
export async function quotaOf(ctx: Ctx, userId: string): Promise<Quota> {
  const override = await ctx.deps.store.quotas.get(userId);
  const usage = await ctx.deps.store.quotas.usage(userId);
  return { limits: override ?? { ...ctx.deps.quota }, usage, overridden: override !== null };
}

export async function quota(ctx: Ctx, actor: User): Promise<Quota> {
  return quotaOf(ctx, actor.id);
}
