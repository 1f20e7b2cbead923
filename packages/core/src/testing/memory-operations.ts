/**
 * @module The memory store's instances with quota admission, quotas, audit log and leases.
 */
import { AppError } from "../errors.ts";
import type { Instance } from "../domain/instance.ts";
import { exceededLimit } from "../domain/quota.ts";
import type { QuotaLimits } from "../domain/quota.ts";
import type { InstancePatch, Store } from "../ports/store.ts";
import { createId } from "../tokens.ts";
import { clone } from "./memory-tables.ts";
import type { MemoryTables } from "./memory-tables.ts";
import { page } from "./memory-query.ts";

/** Instances (quota admission serialised per owner), quotas, audit and leases on the memory store's maps. */
export function memoryOperations(t: MemoryTables): Pick<Store, "instances" | "admitInstance" | "quotas" | "audit" | "leases"> {
  const { state, read, shared, put, del, open, usageOf } = t;
  return {
    instances: {
      get: async (id) => read(state.instances, id),
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
      get: async (userId) => read(state.quotas, userId),
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
  };
}
