/** @module The experiments cache: upserts by (source, proposalId), memberships, favourites, listings. */
import { AppError, ExperimentQuerySchema, createId, experimentStartsAt, formatIssues } from "@calipso/core";
import type { Experiment, ExperimentListItem, ExperimentRepository, ExperimentSort, SourceExperiment } from "@calipso/core";
import { sql } from "kysely";
import type { Kysely } from "kysely";
import type { RepoContext } from "../context.ts";
import type { Database, ExperimentsTable } from "../schema.ts";
import { likeContains, pageTotal, sessionsToJson, toExperiment } from "../rows.ts";
import { withRetry } from "../retry.ts";
import { Precompiled } from "../precompiled.ts";

/** The only columns a listing may sort by (the query's key is never put into SQL). */
const SORT_COLUMNS = {
  proposalId: "e.proposal_id",
  title: "e.title",
  beamline: "e.beamline",
  startsAt: "e.starts_at",
} as const satisfies Record<ExperimentSort, string>;

const UPDATED = ["title", "abstract", "beamline", "posix_uid", "posix_gid", "starts_at", "sessions"] as const;
const CHUNK = 200;

function chunks<T>(items: readonly T[], size = CHUNK): T[][] {
  const out: T[][] = [];
  for (let i = 0; i < items.length; i += size) out.push(items.slice(i, i + size));
  return out;
}

/** What determines the SQL text of a listing (the values are bound as parameters). */
interface ListShape {
  sort: ExperimentSort;
  order: "asc" | "desc";
  favouritesOnly: boolean;
  search: boolean;
  /** Whether the rows carry the total (`count(*) over ()`); see `SqlDialect.totalInWindow`. */
  total: boolean;
}

/** The user's experiments, filtered (the part shared by the page and the fallback count). */
function listingBase(db: Kysely<Database>, shape: ListShape, userId: string, pattern: string) {
  let base = db
    .selectFrom("memberships as m")
    .innerJoin("experiments as e", "e.id", "m.experiment_id")
    .leftJoin("favourites as f", (j) => j.onRef("f.user_id", "=", "m.user_id").onRef("f.experiment_id", "=", "m.experiment_id"))
    .where("m.user_id", "=", userId);
  if (shape.favouritesOnly) base = base.where("f.user_id", "is not", null);
  if (shape.search) {
    base = base.where((eb) =>
      eb.or([
        sql<boolean>`${eb.ref("e.proposal_id")} like ${pattern} escape '!'`,
        sql<boolean>`${eb.ref("e.title")} like ${pattern} escape '!'`,
        sql<boolean>`${eb.ref("e.beamline")} like ${pattern} escape '!'`,
      ]),
    );
  }
  return base;
}

/** One page of a user's experiments with the favourite flag and the total, compiled once per shape. */
const listing = new Precompiled((db, shape: ListShape, v: { userId: string; pattern: string; limit: number; offset: number }) => {
  const column = SORT_COLUMNS[shape.sort];
  // Deferred join: sort and cut the page on narrow columns, then fetch the page's full rows.
  // (Sorting rows with TEXT/JSON columns makes MariaDB spill its temporary table to disk.)
  const pageIds = listingBase(db, shape, v.userId, v.pattern)
    .select((eb) => [
      "e.id as eid",
      "e.proposal_id as pid",
      sql.ref(column).as("sort_key"),
      eb.case().when("f.user_id", "is", null).then(0).else(1).end().as("favourite"),
      (shape.total ? eb.fn.countAll<number>().over() : sql<number>`0`).as("total"),
    ])
    .orderBy(column, shape.order)
    .orderBy("e.proposal_id", "asc")
    .orderBy("e.id", "asc")
    .limit(v.limit)
    .offset(v.offset);
  return db
    .selectFrom(pageIds.as("x"))
    .innerJoin("experiments as e", "e.id", "x.eid")
    .selectAll("e")
    .select(["x.favourite", "x.total"])
    .orderBy("x.sort_key", shape.order)
    .orderBy("x.pid", "asc")
    .orderBy("x.eid", "asc");
});

/** How many of a user's experiments match, compiled once per shape (the page's own total when it cannot tell). */
const listingCount = new Precompiled((db, shape: ListShape, v: { userId: string; pattern: string }) =>
  listingBase(db, shape, v.userId, v.pattern).select((eb) => eb.fn.countAll<number>().as("n")),
);

/** The experiments repository. */
export function experimentRepository(ctx: RepoContext): ExperimentRepository {
  const d = ctx.dialect;

  const toRow = (source: string, e: SourceExperiment): ExperimentsTable => {
    const startsAt = experimentStartsAt(e);
    return {
      id: createId(),
      source,
      proposal_id: e.proposalId,
      title: e.title,
      abstract: e.abstract ?? null,
      beamline: e.beamline ?? null,
      posix_uid: e.posix?.uid ?? null,
      posix_gid: e.posix?.gid ?? null,
      starts_at: startsAt ? d.date(startsAt) : null,
      sessions: sessionsToJson(e.sessions ?? []),
    };
  };

  /** Upserts (sorted, so concurrent writers lock keys in the same order) and reads the rows back. */
  const upsertMany = async (db: Kysely<Database>, source: string, experiments: readonly SourceExperiment[]): Promise<Map<string, Experiment>> => {
    const unique = [...new Map(experiments.map((e) => [e.proposalId, e])).values()].sort((a, b) => (a.proposalId < b.proposalId ? -1 : 1));
    for (const part of chunks(unique)) {
      await d.upsert(db.insertInto("experiments").values(part.map((e) => toRow(source, e))), ["source", "proposal_id"], UPDATED).execute();
    }
    const stored = new Map<string, Experiment>();
    for (const part of chunks(unique.map((e) => e.proposalId))) {
      const rows = await db.selectFrom("experiments").selectAll().where("source", "=", source).where("proposal_id", "in", part).execute();
      for (const r of rows) stored.set(r.proposal_id, toExperiment(r));
    }
    return stored;
  };

  const get = async (id: string) => {
    const row = await ctx.db().selectFrom("experiments").selectAll().where("id", "=", id).executeTakeFirst();
    return row ? toExperiment(row) : null;
  };

  const inTransaction = <T>(fn: (db: Kysely<Database>) => Promise<T>): Promise<T> =>
    ctx.inTransaction() ? fn(ctx.db()) : withRetry(d, () => d.transaction(ctx.db(), fn, { readCommitted: true }));

  return {
    get,
    async syncForUser(userId, source, experiments, now) {
      return inTransaction(async (db) => {
        const user = await db.selectFrom("users").select("id").where("id", "=", userId).executeTakeFirst();
        if (!user) throw new AppError("NOT_FOUND", { detail: "No such user" });
        const stored = await upsertMany(db, source, experiments);
        const ids = [...stored.values()].map((e) => e.id).sort();
        for (const part of chunks(ids)) {
          await d
            .ignoreDuplicate(db.insertInto("memberships").values(part.map((experiment_id) => ({ user_id: userId, experiment_id }))), ["user_id", "experiment_id"])
            .execute();
        }
        let stale = db
          .deleteFrom("memberships")
          .where("user_id", "=", userId)
          .where("experiment_id", "in", (eb) => eb.selectFrom("experiments").select("id").where("source", "=", source));
        if (ids.length > 0) stale = stale.where("experiment_id", "not in", ids);
        await stale.execute();
        await db.updateTable("users").set({ experiments_synced_at: d.date(now) }).where("id", "=", userId).execute();
        const seen = new Set<string>();
        const out: Experiment[] = [];
        for (const e of experiments) {
          const s = stored.get(e.proposalId);
          if (s && !seen.has(s.id)) {
            seen.add(s.id);
            out.push(s);
          }
        }
        return out;
      });
    },
    async upsert(source, experiment) {
      const stored = await upsertMany(ctx.db(), source, [experiment]);
      const e = stored.get(experiment.proposalId);
      if (!e) throw new AppError("INTERNAL", { message: "experiment vanished right after its upsert" });
      return e;
    },
    async getByProposal(source, proposalId) {
      const row = await ctx.db().selectFrom("experiments").selectAll().where("source", "=", source).where("proposal_id", "=", proposalId).executeTakeFirst();
      return row ? toExperiment(row) : null;
    },
    async listForUser(userId, rawQuery) {
      const parsed = ExperimentQuerySchema.safeParse(rawQuery ?? {});
      if (!parsed.success) {
        throw new AppError("VALIDATION_FAILED", {
          detail: formatIssues(parsed.error, "query"),
          meta: { issues: parsed.error.issues.map((i) => ({ path: i.path.map(String).join("."), message: i.message })) },
        });
      }
      const q = parsed.data;
      const db = ctx.db();
      const shape: ListShape = { sort: q.sort, order: q.order, favouritesOnly: q.favouritesOnly, search: q.search ? true : false, total: d.totalInWindow };
      const key = `${q.sort}:${q.order}:${shape.favouritesOnly}:${shape.search}:${shape.total}`;
      const values = { userId, pattern: q.search ? likeContains(q.search) : "", limit: q.pageSize, offset: (q.page - 1) * q.pageSize };
      const rows = await listing.execute(db, d.name, key, shape, values);
      const total = await pageTotal(rows, shape.total, q, async () => {
        const [c] = await listingCount.execute(db, d.name, key, shape, { userId, pattern: values.pattern });
        return Number(c?.n ?? 0);
      });
      const items: ExperimentListItem[] = rows.map((r) => ({ ...toExperiment(r), favourite: Number(r.favourite) === 1 }));
      return { items, total, page: q.page, pageSize: q.pageSize };
    },
    async isMember(userId, experimentId) {
      const row = await ctx
        .db()
        .selectFrom("memberships")
        .select("user_id")
        .where("user_id", "=", userId)
        .where("experiment_id", "=", experimentId)
        .executeTakeFirst();
      return row !== undefined;
    },
    async setFavourite(userId, experimentId, favourite) {
      const db = ctx.db();
      if (!(await get(experimentId))) throw new AppError("NOT_FOUND", { detail: "No such experiment" });
      if (favourite) {
        await d
          .ignoreDuplicate(db.insertInto("favourites").values({ user_id: userId, experiment_id: experimentId }), ["user_id", "experiment_id"])
          .execute();
      } else {
        await db.deleteFrom("favourites").where("user_id", "=", userId).where("experiment_id", "=", experimentId).execute();
      }
    },
  };
}
