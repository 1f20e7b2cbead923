/** @module Templates, the audit trail and leases for background work. */
import { createId } from "@calipso/core";
import type { AuditEvent, AuditRepository, LeaseRepository, Template, TemplateRepository } from "@calipso/core";
import type { RepoContext } from "../context.ts";
import { clampPage, readJson, toAudit } from "../rows.ts";

/** The templates repository (each template is one JSON document keyed by its name). */
export function templateRepository(ctx: RepoContext): TemplateRepository {
  return {
    async list() {
      const rows = await ctx.db().selectFrom("templates").selectAll().orderBy("name").execute();
      return rows.map((r) => readJson<Template>(r.body));
    },
    async get(name) {
      const row = await ctx.db().selectFrom("templates").selectAll().where("name", "=", name).executeTakeFirst();
      return row ? readJson<Template>(row.body) : null;
    },
    async put(template) {
      await ctx.dialect.upsert(ctx.db().insertInto("templates").values({ name: template.name, body: JSON.stringify(template) }), ["name"], ["body"]).execute();
    },
    async delete(name) {
      const r = await ctx.db().deleteFrom("templates").where("name", "=", name).executeTakeFirst();
      return Number(r.numDeletedRows) > 0;
    },
  };
}

/** The audit trail (append-only; listed newest first). */
export function auditRepository(ctx: RepoContext): AuditRepository {
  const d = ctx.dialect;
  return {
    async append(event) {
      const stored: AuditEvent = { ...event, id: createId() };
      await ctx
        .db()
        .insertInto("audit")
        .values({
          id: stored.id,
          at: d.date(event.at),
          actor: event.actor,
          action: event.action,
          target: event.target,
          outcome: event.outcome,
          detail: event.detail === undefined ? null : JSON.stringify(event.detail),
        })
        .execute();
      return stored;
    },
    async list(query) {
      const { page, pageSize, offset } = clampPage(query, 50, 1000);
      let q = ctx.db().selectFrom("audit");
      if (query.actor !== undefined) q = q.where("actor", "=", query.actor);
      if (query.target !== undefined) q = q.where("target", "=", query.target);
      const rows = await q
        .selectAll()
        .select((eb) => eb.fn.countAll<number>().over().as("total"))
        .orderBy("at", "desc")
        .orderBy("id", "desc")
        .limit(pageSize)
        .offset(offset)
        .execute();
      let total = rows.length > 0 ? Number(rows[0]!.total) : 0;
      if (rows.length === 0 && page > 1) total = Number((await q.select((eb) => eb.fn.countAll<number>().as("n")).executeTakeFirstOrThrow()).n);
      return { items: rows.map((r) => toAudit(d, r)), total, page, pageSize };
    },
  };
}

/** Leases: a named lock with an expiry, so that one replica at a time does background work. */
export function leaseRepository(ctx: RepoContext): LeaseRepository {
  const d = ctx.dialect;
  return {
    async acquire(name, holder, ttlMs, now) {
      const db = ctx.db();
      const expires = new Date(now.getTime() + Math.max(0, ttlMs));
      // Renew our own lease, or take over an expired one: one conditional statement.
      const taken = await db
        .updateTable("leases")
        .set({ holder, expires_at: d.date(expires) })
        .where("name", "=", name)
        .where((eb) => eb.or([eb("holder", "=", holder), eb("expires_at", "<=", d.date(now))]))
        .executeTakeFirst();
      if (Number(taken.numUpdatedRows) > 0) return true;
      // No row yet (or held by someone else): insert-or-nothing, then see who holds it.
      await d.ignoreDuplicate(db.insertInto("leases").values({ name, holder, expires_at: d.date(expires) }), ["name"]).execute();
      const row = await db.selectFrom("leases").select(["holder", "expires_at"]).where("name", "=", name).executeTakeFirst();
      return row !== undefined && row.holder === holder && d.readDate(row.expires_at).getTime() === expires.getTime();
    },
    async release(name, holder) {
      await ctx.db().deleteFrom("leases").where("name", "=", name).where("holder", "=", holder).execute();
    },
  };
}
