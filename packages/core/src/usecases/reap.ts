/** @module The reaper: terminates instances past their `expiresAt` or idle longer than their template allows. */
import type { ReapReport } from "../calipso-types.ts";
import type { Instance } from "../domain/instance.ts";
import type { Template } from "../domain/template.ts";
import type { Ctx } from "./context.ts";
import { reasonOf } from "./context.ts";
import { terminateInstance } from "./instances.ts";
import { withLease } from "./leases.ts";

async function lastActivity(ctx: Ctx, instance: Instance): Promise<Date | undefined> {
  let last = instance.lastActivityAt ?? instance.startedAt;
  if (instance.desktop && ctx.deps.desktop?.lastActivity) {
    try {
      const seen = await ctx.deps.desktop.lastActivity(instance.desktop);
      if (seen && (!last || seen > last)) last = seen;
    } catch (error) {
      ctx.logger.warn("reap: lastActivity failed", { instance: instance.id, error: reasonOf(error) });
    }
  }
  return last;
}

async function pass(ctx: Ctx): Promise<ReapReport> {
  const now = ctx.now();
  const templates = new Map<string, Template | null>();
  let terminated = 0;
  // Collect first: terminating changes the set being paged through.
  const running: Instance[] = [];
  for (let page = 1; ; page++) {
    const p = await ctx.deps.store.instances.list({ states: ["running"], page, pageSize: 500 });
    running.push(...p.items);
    if (p.items.length === 0 || running.length >= p.total) break;
  }
  for (const instance of running) {
    let reason: string | undefined;
    if (instance.expiresAt && instance.expiresAt.getTime() <= now.getTime()) {
      reason = "Reached its maximum lifetime";
    } else {
      if (!templates.has(instance.template)) templates.set(instance.template, await ctx.deps.store.templates.get(instance.template));
      const idleMinutes = templates.get(instance.template)?.idleMinutes;
      if (idleMinutes !== undefined) {
        const last = await lastActivity(ctx, instance);
        if (last && now.getTime() - last.getTime() > idleMinutes * 60_000) reason = `Idle for more than ${idleMinutes} minutes`;
      }
    }
    if (!reason) continue;
    const after = await terminateInstance(ctx, instance, "system", reason);
    if (after.state === "terminating") terminated++;
  }
  // Housekeeping under the same lease: sessions past their expiry are of no use to anyone.
  const expiredSessions = await ctx.deps.store.sessions.deleteExpired(now);
  return { terminated, expiredSessions };
}

export async function reap(ctx: Ctx, options: { holder?: string } = {}): Promise<ReapReport> {
  const report = await withLease(ctx, "reap", options.holder ?? ctx.holder, () => pass(ctx));
  return report ?? { terminated: 0, skipped: "Another replica holds the reap lease" };
}
