/**
 * @module Experiments: copied from the source into the store when the user's copy is older than
 * the cache TTL, then searched, sorted and paged in the store with per-user favourites.
 */
import { z } from "zod";
import { AppError } from "../errors.ts";
import { ExperimentQuerySchema, SourceExperimentSchema } from "../domain/experiment.ts";
import type { ExperimentListItem, ExperimentQuery, Page, SourceExperiment } from "../domain/experiment.ts";
import type { User } from "../domain/user.ts";
import { audit, validate } from "./context.ts";
import type { Ctx } from "./context.ts";

const IdSchema = z.string().min(1).max(128);
const FlagSchema = z.boolean();
// Built once: zod compiles a schema's parser on first use, so a schema made per call costs that every call.
const StrictQuerySchema = ExperimentQuerySchema.strict();

async function sync(ctx: Ctx, actor: User): Promise<void> {
  const { store } = ctx.deps;
  const { source, name } = ctx.deps.experiments;
  const now = ctx.now();
  // The actor was read from the store by authentication in this request; a stale copy only costs an extra sync.
  const fresh = (u: User) => u.experimentsSyncedAt !== undefined && now.getTime() - u.experimentsSyncedAt.getTime() < ctx.cacheTtlMs;
  if (fresh(actor)) return;
  const user = await store.users.get(actor.id);
  if (!user) throw new AppError("UNAUTHENTICATED", { detail: "Unknown user" });
  if (fresh(user)) return;
  let listed: readonly SourceExperiment[];
  try {
    listed = await source.listForUser(user.username);
  } catch (error) {
    if (user.experimentsSyncedAt) {
      // A stale copy beats no answer; membership is checked at the source again at launch anyway.
      ctx.logger.warn("experiment source failed; serving the cached copy", { error: String(error) });
      return;
    }
    throw error;
  }
  const valid: SourceExperiment[] = [];
  for (const raw of listed) {
    const parsed = SourceExperimentSchema.safeParse(raw);
    if (parsed.success) valid.push(parsed.data);
    else ctx.logger.warn("experiment source returned an invalid experiment; skipped", { issues: parsed.error.issues.length });
  }
  await store.experiments.syncForUser(user.id, name, valid, now);
  // Cached sessions hold the user with the old sync time; fresh copies skip the next sync check's read.
  ctx.sessionCache?.deleteUser(user.id);
}

/** Refreshes the user's experiments from the source when the stored copy is stale (one sync per user at a time). */
export async function ensureSynced(ctx: Ctx, actor: User): Promise<void> {
  const running = ctx.syncs.get(actor.id);
  if (running) return running;
  const p = sync(ctx, actor).finally(() => ctx.syncs.delete(actor.id));
  ctx.syncs.set(actor.id, p);
  return p;
}

export async function listExperiments(ctx: Ctx, actor: User, query: Partial<ExperimentQuery> = {}): Promise<Page<ExperimentListItem>> {
  const q = validate(StrictQuerySchema, query ?? {}, "experiment query");
  await ensureSynced(ctx, actor);
  return ctx.deps.store.experiments.listForUser(actor.id, q);
}

export async function setFavourite(ctx: Ctx, actor: User, experimentId: string, favourite: boolean): Promise<void> {
  const id = validate(IdSchema, experimentId, "experiment id");
  const fav = validate(FlagSchema, favourite, "favourite flag");
  await ensureSynced(ctx, actor);
  if (!(await ctx.deps.store.experiments.isMember(actor.id, id))) throw new AppError("NOT_FOUND", { detail: "No such experiment" });
  await ctx.deps.store.experiments.setFavourite(actor.id, id, fav);
  await audit(ctx, { actor: actor.id, action: fav ? "experiment.favourite" : "experiment.unfavourite", target: `experiment:${id}`, outcome: "success" });
}
