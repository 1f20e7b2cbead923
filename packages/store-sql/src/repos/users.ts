/** @module Users, login sessions and personal API tokens. */
import { AppError, createId } from "@calipso/core";
import type { ApiTokenRepository, Role, SessionRepository, User, UserRepository } from "@calipso/core";
import { sql } from "kysely";
import type { RepoContext } from "../context.ts";
import { clampPage, likeContains, toApiToken, toSession, toUser } from "../rows.ts";
import { Precompiled } from "../precompiled.ts";

// The reads every API request makes, compiled once (see precompiled.ts).
const userById = new Precompiled((db, _: void, v: { id: string }) => db.selectFrom("users").selectAll().where("id", "=", v.id));
const sessionByHash = new Precompiled((db, _: void, v: { tokenHash: string }) => db.selectFrom("sessions").selectAll().where("token_hash", "=", v.tokenHash));
const tokenByHash = new Precompiled((db, _: void, v: { tokenHash: string }) => db.selectFrom("api_tokens").selectAll().where("token_hash", "=", v.tokenHash));

function mergeRoles(current: readonly Role[], hint: readonly Role[] | undefined): Role[] {
  const set = new Set<Role>(["user", ...current, ...(hint ?? [])]);
  return (["user", "admin"] as const).filter((r) => set.has(r));
}

/** The users repository. */
export function userRepository(ctx: RepoContext): UserRepository {
  const d = ctx.dialect;
  const get = async (id: string) => {
    const [row] = await userById.execute(ctx.db(), d.name, "", undefined, { id });
    return row ? toUser(d, row) : null;
  };
  const getByUsername = async (username: string) => {
    const row = await ctx.db().selectFrom("users").selectAll().where("username", "=", username).executeTakeFirst();
    return row ? toUser(d, row) : null;
  };
  return {
    get,
    getByUsername,
    async upsertFromIdentity(identity, now) {
      // Insert-or-nothing first, so two first logins at once create one user.
      await d
        .ignoreDuplicate(
          ctx
            .db()
            .insertInto("users")
            .values({
              id: createId(),
              username: identity.username,
              display_name: identity.displayName ?? null,
              email: identity.email ?? null,
              roles: JSON.stringify(mergeRoles([], identity.roles)),
              may_use_own_resources: identity.mayUseOwnResources ? 1 : 0,
              created_at: d.date(now),
              experiments_synced_at: null,
            }),
          ["username"],
        )
        .execute();
      const user = await getByUsername(identity.username);
      if (!user) throw new AppError("INTERNAL", { message: "user vanished right after its upsert" });
      const roles = mergeRoles(user.roles, identity.roles);
      const patch = {
        ...(identity.displayName !== undefined && identity.displayName !== user.displayName ? { display_name: identity.displayName } : {}),
        ...(identity.email !== undefined && identity.email !== user.email ? { email: identity.email } : {}),
        ...(roles.length !== user.roles.length ? { roles: JSON.stringify(roles) } : {}),
        ...(identity.mayUseOwnResources !== undefined && identity.mayUseOwnResources !== user.mayUseOwnResources
          ? { may_use_own_resources: identity.mayUseOwnResources ? 1 : 0 }
          : {}),
      };
      if (Object.keys(patch).length === 0) return user;
      await ctx.db().updateTable("users").set(patch).where("id", "=", user.id).execute();
      return (await get(user.id))!;
    },
    async update(id, patch) {
      const set = {
        ...(patch.roles !== undefined ? { roles: JSON.stringify(mergeRoles([], patch.roles)) } : {}),
        ...(patch.mayUseOwnResources !== undefined ? { may_use_own_resources: patch.mayUseOwnResources ? 1 : 0 } : {}),
        ...(patch.displayName !== undefined ? { display_name: patch.displayName } : {}),
        ...(patch.email !== undefined ? { email: patch.email } : {}),
      };
      if (Object.keys(set).length > 0) await ctx.db().updateTable("users").set(set).where("id", "=", id).execute();
      const user = await get(id);
      if (!user) throw new AppError("NOT_FOUND", { detail: "No such user" });
      return user;
    },
    async list(query) {
      const { page, pageSize, offset } = clampPage(query, 50, 500);
      let q = ctx.db().selectFrom("users");
      if (query.search) {
        const p = likeContains(query.search.slice(0, 256));
        q = q.where((eb) =>
          eb.or([
            sql<boolean>`${eb.ref("username")} like ${p} escape '!'`,
            sql<boolean>`${eb.ref("display_name")} like ${p} escape '!'`,
            sql<boolean>`${eb.ref("email")} like ${p} escape '!'`,
          ]),
        );
      }
      const [rows, count] = await Promise.all([
        q.selectAll().orderBy("username").orderBy("id").limit(pageSize).offset(offset).execute(),
        q.select((eb) => eb.fn.countAll<number>().as("n")).executeTakeFirstOrThrow(),
      ]);
      return { items: rows.map((r) => toUser(d, r)) as User[], total: Number(count.n), page, pageSize };
    },
  };
}

/** The login sessions repository (only token hashes are stored). */
export function sessionRepository(ctx: RepoContext): SessionRepository {
  const d = ctx.dialect;
  return {
    async create(r) {
      await ctx
        .db()
        .insertInto("sessions")
        .values({ token_hash: r.tokenHash, user_id: r.userId, created_at: d.date(r.createdAt), expires_at: d.date(r.expiresAt) })
        .execute();
    },
    async get(tokenHash) {
      const [row] = await sessionByHash.execute(ctx.db(), d.name, "", undefined, { tokenHash });
      return row ? toSession(d, row) : null;
    },
    async touch(tokenHash, expiresAt) {
      await ctx.db().updateTable("sessions").set({ expires_at: d.date(expiresAt) }).where("token_hash", "=", tokenHash).execute();
    },
    async delete(tokenHash) {
      await ctx.db().deleteFrom("sessions").where("token_hash", "=", tokenHash).execute();
    },
    async deleteForUser(userId) {
      await ctx.db().deleteFrom("sessions").where("user_id", "=", userId).execute();
    },
    async deleteExpired(now) {
      const r = await ctx.db().deleteFrom("sessions").where("expires_at", "<=", d.date(now)).executeTakeFirst();
      return Number(r.numDeletedRows);
    },
  };
}

/** The personal API tokens repository (only token hashes are stored). */
export function apiTokenRepository(ctx: RepoContext): ApiTokenRepository {
  const d = ctx.dialect;
  return {
    async create(r) {
      await ctx
        .db()
        .insertInto("api_tokens")
        .values({
          id: r.id,
          user_id: r.userId,
          name: r.name,
          token_hash: r.tokenHash,
          scopes: JSON.stringify(r.scopes),
          created_at: d.date(r.createdAt),
          expires_at: r.expiresAt ? d.date(r.expiresAt) : null,
          last_used_at: r.lastUsedAt ? d.date(r.lastUsedAt) : null,
        })
        .execute();
    },
    async getByHash(tokenHash) {
      const [row] = await tokenByHash.execute(ctx.db(), d.name, "", undefined, { tokenHash });
      return row ? toApiToken(d, row) : null;
    },
    async listForUser(userId) {
      const rows = await ctx.db().selectFrom("api_tokens").selectAll().where("user_id", "=", userId).orderBy("created_at").orderBy("id").execute();
      return rows.map((r) => toApiToken(d, r));
    },
    async delete(userId, id) {
      const r = await ctx.db().deleteFrom("api_tokens").where("user_id", "=", userId).where("id", "=", id).executeTakeFirst();
      return Number(r.numDeletedRows) > 0;
    },
    async touch(id, lastUsedAt) {
      await ctx.db().updateTable("api_tokens").set({ last_used_at: d.date(lastUsedAt) }).where("id", "=", id).execute();
    },
  };
}
