/**
 * @module An in-memory `Store`: every repository of the port on plain maps. Quota admission is
 * serialised per owner; `transaction()` keeps an undo journal and rolls back on throw. For tests,
 * demos and single-process hosts (state is lost on restart).
 */
import { z } from "zod";
import { AppError } from "../errors.ts";
import { defineProvider } from "../provider.ts";
import type { Experiment, ExperimentQuery, SourceExperiment } from "../domain/experiment.ts";
import { ACTIVE_STATES } from "../domain/instance.ts";
import type { Instance } from "../domain/instance.ts";
import { EMPTY_USAGE, addUsage, exceededLimit } from "../domain/quota.ts";
import type { QuotaLimits, QuotaUsage } from "../domain/quota.ts";
import type { AuditEvent } from "../domain/audit.ts";
import type { ApiTokenRecord, SessionRecord } from "../domain/session.ts";
import type { Template } from "../domain/template.ts";
import type { Identity, Role, User } from "../domain/user.ts";
import type { InstancePatch, Store } from "../ports/store.ts";
import { createId } from "../tokens.ts";
import { KeyedMutex } from "../util/mutex.ts";
import { contains, page, queryExperiments } from "./memory-query.ts";

/** The maps behind a memory store. Keys of pair maps are `a\u0000b`. */
interface State {
  users: Map<string, User>;
  sessions: Map<string, SessionRecord>;
  apiTokens: Map<string, ApiTokenRecord>;
  experiments: Map<string, Experiment>;
  experimentKeys: Map<string, string>;
  memberships: Map<string, true>;
  favourites: Map<string, true>;
  templates: Map<string, Template>;
  instances: Map<string, Instance>;
  quotas: Map<string, QuotaLimits>;
  audit: Map<string, AuditEvent & { seq: number }>;
  leases: Map<string, { holder: string; expiresAt: number }>;
}

type Undo = () => void;
const pair = (a: string, b: string) => `${a}\u0000${b}`;
const clone = <T>(value: T): T => structuredClone(value);

/** Options of {@link createMemoryStore}. */
export interface MemoryStoreOptions {
  /** Clock used for `experimentsSyncedAt` defaults; the use cases pass their own `now` anyway. */
  readonly now?: () => Date;
}

/** A memory store, with a `snapshot()` of its content for assertions in tests. */
export interface MemoryStore extends Store {
  /** Counts of every table (for tests asserting that nothing partial was written). */
  counts(): Readonly<Record<keyof State, number>>;
}

/**
 * Creates an empty in-memory store that implements the whole `Store` port.
 *
 * @example
 * const store = createMemoryStore();
 * await store.templates.put(template);
 */
export function createMemoryStore(_options: MemoryStoreOptions = {}): MemoryStore {
  const state: State = {
    users: new Map(),
    sessions: new Map(),
    apiTokens: new Map(),
    experiments: new Map(),
    experimentKeys: new Map(),
    memberships: new Map(),
    favourites: new Map(),
    templates: new Map(),
    instances: new Map(),
    quotas: new Map(),
    audit: new Map(),
    leases: new Map(),
  };
  const shared = { userLocks: new KeyedMutex(), txLock: new KeyedMutex(), seq: 0, closed: false };
  return build(state, shared, undefined);
}

interface Shared {
  userLocks: KeyedMutex;
  txLock: KeyedMutex;
  seq: number;
  closed: boolean;
}

function build(state: State, shared: Shared, journal: Undo[] | undefined): MemoryStore {
  function put<K, V>(map: Map<K, V>, key: K, value: V): void {
    const had = map.has(key);
    const old = map.get(key);
    map.set(key, value);
    journal?.push(() => (had ? map.set(key, old as V) : map.delete(key)));
  }
  function del<K, V>(map: Map<K, V>, key: K): boolean {
    if (!map.has(key)) return false;
    const old = map.get(key) as V;
    map.delete(key);
    journal?.push(() => map.set(key, old));
    return true;
  }
  function open(): void {
    if (shared.closed) throw new AppError("PROVIDER_UNAVAILABLE", { detail: "The memory store is closed", provider: "memory" });
  }
  function userOf(id: string): User {
    const u = state.users.get(id);
    if (!u) throw new AppError("NOT_FOUND", { detail: `No user ${id}` });
    return u;
  }
  function upsertExperiment(source: string, e: SourceExperiment): Experiment {
    const key = pair(source, e.proposalId);
    const id = state.experimentKeys.get(key) ?? createId();
    const stored: Experiment = { ...clone(e), id, source };
    put(state.experimentKeys, key, id);
    put(state.experiments, id, stored);
    return stored;
  }
  function usageOf(owner: string): QuotaUsage {
    let usage = EMPTY_USAGE;
    for (const i of state.instances.values()) if (i.owner === owner && ACTIVE_STATES.includes(i.state)) usage = addUsage(usage, i.resources);
    return usage;
  }

  const store: MemoryStore = {
    users: {
      async get(id) {
        open();
        const u = state.users.get(id);
        return u ? clone(u) : null;
      },
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
      async get(tokenHash) {
        open();
        const s = state.sessions.get(tokenHash);
        return s ? clone(s) : null;
      },
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

    experiments: {
      async syncForUser(userId, source, experiments, now) {
        open();
        const user = userOf(userId);
        const stored = experiments.map((e) => upsertExperiment(source, e));
        const keep = new Set(stored.map((e) => e.id));
        for (const key of [...state.memberships.keys()]) {
          const [u, expId] = key.split("\u0000") as [string, string];
          if (u === userId && state.experiments.get(expId)?.source === source && !keep.has(expId)) del(state.memberships, key);
        }
        for (const e of stored) put(state.memberships, pair(userId, e.id), true);
        put(state.users, userId, { ...user, experimentsSyncedAt: new Date(now) });
        return clone(stored);
      },
      async upsert(source, experiment) {
        open();
        return clone(upsertExperiment(source, experiment));
      },
      async get(id) {
        open();
        const e = state.experiments.get(id);
        return e ? clone(e) : null;
      },
      async getByProposal(source, proposalId) {
        open();
        const id = state.experimentKeys.get(pair(source, proposalId));
        const e = id ? state.experiments.get(id) : undefined;
        return e ? clone(e) : null;
      },
      async listForUser(userId, query: ExperimentQuery) {
        open();
        return clone(
          queryExperiments(state.experiments.values(), query, {
            isMember: (id) => state.memberships.has(pair(userId, id)),
            // Favourites are keyed by (this user, experiment): another member's favourite never shows here (seed bug B8).
            isFavourite: (id) => state.favourites.has(pair(userId, id)),
          }),
        );
      },
      async isMember(userId, experimentId) {
        open();
        return state.memberships.has(pair(userId, experimentId));
      },
      async setFavourite(userId, experimentId, favourite) {
        open();
        if (!state.memberships.has(pair(userId, experimentId))) throw new AppError("NOT_FOUND", { detail: `No experiment ${experimentId}` });
        if (favourite) put(state.favourites, pair(userId, experimentId), true);
        else del(state.favourites, pair(userId, experimentId));
      },
    },

    templates: {
      async list() {
        open();
        return clone([...state.templates.values()].sort((a, b) => a.name.localeCompare(b.name)));
      },
      async get(name) {
        open();
        const t = state.templates.get(name);
        return t ? clone(t) : null;
      },
      async put(template) {
        open();
        put(state.templates, template.name, clone(template));
      },
      async delete(name) {
        open();
        return del(state.templates, name);
      },
    },

    instances: {
      async get(id) {
        open();
        const i = state.instances.get(id);
        return i ? clone(i) : null;
      },
      async list(query) {
        open();
        const all = [...state.instances.values()]
          .filter((i) => (query.owner === undefined || i.owner === query.owner) && (!query.states || query.states.includes(i.state)))
          .sort((a, b) => b.createdAt.getTime() - a.createdAt.getTime() || a.id.localeCompare(b.id));
        return clone(page(all, { page: query.page, pageSize: query.pageSize ?? 1000 }));
      },
      async update(id, expected, patch: InstancePatch) {
        open();
        const current = state.instances.get(id);
        if (!current) throw new AppError("NOT_FOUND", { detail: `No instance ${id}` });
        if (!expected.includes(current.state)) return null;
        const next: Instance = { ...current };
        for (const [k, v] of Object.entries(patch)) if (v !== undefined) (next as Record<string, unknown>)[k] = clone(v);
        put(state.instances, id, next);
        return clone(next);
      },
    },

    quotas: {
      async get(userId) {
        open();
        const q = state.quotas.get(userId);
        return q ? clone(q) : null;
      },
      async set(userId, limits) {
        open();
        if (limits === null) del(state.quotas, userId);
        else put(state.quotas, userId, clone(limits));
      },
      async usage(userId) {
        open();
        return usageOf(userId);
      },
    },

    audit: {
      async append(event) {
        open();
        const stored = { ...clone(event), id: createId(), seq: ++shared.seq };
        put(state.audit, stored.id, stored);
        const { seq: _seq, ...out } = stored;
        return clone(out);
      },
      async list(query) {
        open();
        const all = [...state.audit.values()]
          .filter((e) => (query.actor === undefined || e.actor === query.actor) && (query.target === undefined || e.target === query.target))
          .sort((a, b) => b.at.getTime() - a.at.getTime() || b.seq - a.seq)
          .map(({ seq: _seq, ...e }) => e);
        return clone(page(all, query));
      },
    },

    leases: {
      async acquire(name, holder, ttlMs, now) {
        open();
        const l = state.leases.get(name);
        if (l && l.holder !== holder && l.expiresAt > now.getTime()) return false;
        put(state.leases, name, { holder, expiresAt: now.getTime() + ttlMs });
        return true;
      },
      async release(name, holder) {
        open();
        if (state.leases.get(name)?.holder === holder) del(state.leases, name);
      },
    },

    async admitInstance(instance: Instance, limits: QuotaLimits) {
      open();
      return shared.userLocks.run(instance.owner, () => {
        if (state.instances.has(instance.id)) throw new AppError("CONFLICT", { detail: `Instance ${instance.id} exists` });
        const usage = usageOf(instance.owner);
        const limit = exceededLimit(usage, instance.resources, limits);
        if (limit) {
          throw new AppError("QUOTA_EXCEEDED", {
            detail: `Launching this would exceed your ${limit} quota (limit ${limits[limit]}, in use ${usage[limit]})`,
            meta: { limit, limits: { ...limits }, usage: { ...usage } },
          });
        }
        const stored: Instance = { ...clone(instance), state: "pending" };
        put(state.instances, stored.id, stored);
        return clone(stored);
      });
    },

    async transaction<T>(fn: (tx: Store) => Promise<T>): Promise<T> {
      open();
      if (journal) return fn(store);
      return shared.txLock.run("tx", async () => {
        const undo: Undo[] = [];
        const tx = build(state, shared, undo);
        try {
          return await fn(tx);
        } catch (error) {
          for (const u of undo.reverse()) u();
          throw error;
        }
      });
    },

    async ping() {
      open();
    },

    async close() {
      shared.closed = true;
    },

    counts() {
      return Object.fromEntries(Object.entries(state).map(([k, m]) => [k, (m as Map<unknown, unknown>).size])) as Record<keyof State, number>;
    },
  };
  return store;
}

/** The memory store as a provider definition (`store: { provider: "memory" }`). */
export const memoryStore = defineProvider("store", {
  name: "memory",
  description: "In-memory store for tests and demos: state is lost on restart and not shared between processes",
  configSchema: z.strictObject({}).describe("The memory store takes no options"),
  capabilities: { multiProcess: false, transactions: true },
  create: () => createMemoryStore(),
});
