/**
 * @module The memory store's users, browser sessions and API tokens.
 */
import type { Identity, Role, User } from "../domain/user.ts";
import { createId } from "../tokens.ts";
import { clone } from "./memory-tables.ts";
import { contains, page } from "./memory-query.ts";
import type { Store } from "../ports/store.ts";
import type { MemoryTables } from "./memory-tables.ts";

/** Users, sessions and API tokens on the memory store's maps. */
export function memoryAccounts(t: MemoryTables): Pick<Store, "users" | "sessions" | "apiTokens"> {
  const { state, read, put, del, open, userOf } = t;
  return {
    users: {
      get: async (id) => read(state.users, id),
      async getByUsername(username) {
        open();
        for (const u of state.users.values()) if (u.username === username) return clone(u);
        return null;
      },
      async upsertFromIdentity(identity: Identity, now) {
        open();
        let existing: User | undefined;
        for (const u of state.users.values()) if (u.username === identity.username) existing = u;
        const roles = new Set<Role>(["user", ...(existing?.roles ?? []), ...(identity.roles ?? [])]);
        const next: User = {
          ...(existing ?? { id: createId(), username: identity.username, createdAt: now, mayUseOwnResources: false }),
          roles: [...roles],
          mayUseOwnResources: (existing?.mayUseOwnResources ?? false) || identity.mayUseOwnResources === true,
        } as User;
        if (identity.displayName !== undefined) next.displayName = identity.displayName;
        if (identity.email !== undefined) next.email = identity.email;
        put(state.users, next.id, next);
        return clone(next);
      },
      async update(id, patch) {
        open();
        const next: User = { ...userOf(id) };
        if (patch.roles !== undefined) next.roles = [...new Set<Role>(["user", ...patch.roles])];
        if (patch.mayUseOwnResources !== undefined) next.mayUseOwnResources = patch.mayUseOwnResources;
        if (patch.displayName !== undefined) next.displayName = patch.displayName;
        if (patch.email !== undefined) next.email = patch.email;
        put(state.users, id, next);
        return clone(next);
      },
      async list(query) {
        open();
        const s = query.search?.toLowerCase();
        const all = [...state.users.values()]
          .filter((u) => !s || contains(u.username, s) || contains(u.displayName, s) || contains(u.email, s))
          .sort((a, b) => a.username.localeCompare(b.username));
        return clone(page(all, query));
      },
    },

    sessions: {
      async create(record) {
        open();
        put(state.sessions, record.tokenHash, clone(record));
      },
      get: async (tokenHash) => read(state.sessions, tokenHash),
      async touch(tokenHash, expiresAt) {
        open();
        const s = state.sessions.get(tokenHash);
        if (s) put(state.sessions, tokenHash, { ...s, expiresAt: new Date(expiresAt) });
      },
      async delete(tokenHash) {
        open();
        del(state.sessions, tokenHash);
      },
      async deleteForUser(userId) {
        open();
        for (const [k, s] of [...state.sessions]) if (s.userId === userId) del(state.sessions, k);
      },
      async deleteExpired(now) {
        open();
        let n = 0;
        for (const [k, s] of [...state.sessions]) if (s.expiresAt.getTime() <= now.getTime() && del(state.sessions, k)) n++;
        return n;
      },
    },

    apiTokens: {
      async create(record) {
        open();
        put(state.apiTokens, record.id, clone(record));
      },
      async getByHash(tokenHash) {
        open();
        for (const t of state.apiTokens.values()) if (t.tokenHash === tokenHash) return clone(t);
        return null;
      },
      async listForUser(userId) {
        open();
        return clone([...state.apiTokens.values()].filter((t) => t.userId === userId).sort((a, b) => a.createdAt.getTime() - b.createdAt.getTime()));
      },
      async delete(userId, id) {
        open();
        const t = state.apiTokens.get(id);
        if (!t || t.userId !== userId) return false;
        return del(state.apiTokens, id);
      },
      async touch(id, lastUsedAt) {
        open();
        const t = state.apiTokens.get(id);
        if (t) put(state.apiTokens, id, { ...t, lastUsedAt: new Date(lastUsedAt) });
      },
    },
  };
}
