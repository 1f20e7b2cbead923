/**
 * @module Deliberately broken providers (mutants of core's fakes). The kit's self-test runs the
 * kit against them and checks that exactly the expected test ids fail: proof that the suites can fail.
 */
import { AppError, exceededLimit, instantiate } from "@calipso/core";
import type { ComputeBackend, RemoteDesktop, Store } from "@calipso/core";
import {
  FakeAuthConfigSchema,
  FakeComputeConfigSchema,
  FakeDesktopConfigSchema,
  createMemoryStore,
  fakeAuth,
  fakeCompute,
  fakeDesktop,
} from "@calipso/core/testing";
import { z } from "zod";
import { defineAuthProvider, defineComputeBackend, defineRemoteDesktop, defineStore } from "../../define.ts";

const computeCaps = { ...fakeCompute.capabilities };

/** Compute mutant: `stop` leaves the workload behind. */
export const leakyStop = defineComputeBackend({
  name: "kit-leaky-stop",
  configSchema: FakeComputeConfigSchema,
  capabilities: computeCaps,
  async create(config, ctx): Promise<ComputeBackend> {
    const inner = await instantiate(fakeCompute, config, ctx);
    return { ...inner, start: inner.start, status: inner.status, list: inner.list, stop: async () => {} };
  },
});

/** Compute mutant: `status` of a workload that is gone throws NOT_FOUND (against the kit's rule). */
export const notFoundStatus = defineComputeBackend({
  name: "kit-not-found-status",
  configSchema: FakeComputeConfigSchema,
  capabilities: computeCaps,
  async create(config, ctx): Promise<ComputeBackend> {
    const inner = await instantiate(fakeCompute, config, ctx);
    return {
      start: inner.start,
      stop: inner.stop,
      list: inner.list,
      async status(handle) {
        const s = await inner.status(handle);
        if (s.state === "stopped") throw new AppError("NOT_FOUND", { detail: "No such workload" });
        return s;
      },
    };
  },
});

/** Compute mutant: no capability `progress` declared (its suites must be skipped, with the reason). */
export const noProgress = defineComputeBackend({
  name: "kit-no-progress",
  configSchema: FakeComputeConfigSchema,
  capabilities: { resourceLimits: ["cpu"] },
  create: (config, ctx) => instantiate(fakeCompute, config, ctx),
});

/** Compute mutant: ignores its abort signal (a start that cannot be cancelled). */
export const ignoresAbort = defineComputeBackend({
  name: "kit-ignores-abort",
  configSchema: FakeComputeConfigSchema,
  capabilities: computeCaps,
  create: (config, ctx) => instantiate(fakeCompute, { ...config, behaviour: { ...config.behaviour, ignoreAbort: true } }, ctx),
});

/** Desktop mutant: the access URL carries the desktop secret. */
export const secretInUrl = defineRemoteDesktop({
  name: "kit-secret-in-url",
  configSchema: FakeDesktopConfigSchema,
  capabilities: { ...fakeDesktop.capabilities },
  async create(config, ctx): Promise<RemoteDesktop> {
    const inner = await instantiate(fakeDesktop, config, ctx);
    const secrets = new Map<string, string>();
    return {
      ...inner,
      async register(registration) {
        const handle = await inner.register(registration);
        secrets.set(handle.id, registration.secret);
        return handle;
      },
      async access(handle, user) {
        const access = await inner.access(handle, user);
        return { ...access, url: `${access.url}?password=${secrets.get(handle.id) ?? ""}` };
      },
    };
  },
});

/** Auth mutant: tells unknown users from wrong passwords (user enumeration). */
export const enumeratesUsers = defineAuthProvider({
  name: "kit-enumerates-users",
  configSchema: FakeAuthConfigSchema,
  capabilities: { password: true },
  async create(config, ctx) {
    const inner = await instantiate(fakeAuth, config, ctx);
    const known = new Set(config.users.map((u) => u.username));
    return {
      async password(username, password) {
        if (!known.has(username)) throw new AppError("UNAUTHENTICATED", { detail: `No user ${username}` });
        return inner.password!(username, password);
      },
    };
  },
});

/** Store mutant: admission reads the usage, yields, then inserts (a check-then-act race). */
export function racyStore(): Store {
  const inner = createMemoryStore();
  const unlimited = { instances: 1e6, cpu: 1e6, memoryMiB: 1e9, storageGiB: 1e9 };
  return {
    ...inner,
    users: inner.users, sessions: inner.sessions, apiTokens: inner.apiTokens, experiments: inner.experiments,
    templates: inner.templates, instances: inner.instances, quotas: inner.quotas, audit: inner.audit, leases: inner.leases,
    transaction: (fn) => inner.transaction(fn), ping: () => inner.ping(), close: () => inner.close(),
    async admitInstance(instance, limits) {
      const usage = await inner.quotas.usage(instance.owner);
      await new Promise((resolve) => setTimeout(resolve, 1));
      const limit = exceededLimit(usage, instance.resources, limits);
      if (limit) throw new AppError("QUOTA_EXCEEDED", { detail: `Quota exceeded: ${limit}` });
      return inner.admitInstance(instance, unlimited);
    },
  };
}

/** Store mutant: declares transactions but runs the function without one (nothing rolls back). */
export function noRollbackStore(): Store {
  const inner = createMemoryStore();
  const store: Store = {
    users: inner.users, sessions: inner.sessions, apiTokens: inner.apiTokens, experiments: inner.experiments,
    templates: inner.templates, instances: inner.instances, quotas: inner.quotas, audit: inner.audit, leases: inner.leases,
    admitInstance: (i, l) => inner.admitInstance(i, l), ping: () => inner.ping(), close: () => inner.close(),
    transaction: (fn) => fn(store),
  };
  return store;
}

/** Store mutant: favourites are global, not per user (one member's favourite shows for all). */
export function globalFavouritesStore(): Store {
  const inner = createMemoryStore();
  const favourites = new Set<string>();
  const experiments: Store["experiments"] = {
    ...inner.experiments,
    syncForUser: (...a) => inner.experiments.syncForUser(...a),
    upsert: (...a) => inner.experiments.upsert(...a),
    get: (...a) => inner.experiments.get(...a),
    getByProposal: (...a) => inner.experiments.getByProposal(...a),
    isMember: (...a) => inner.experiments.isMember(...a),
    async setFavourite(userId, experimentId, favourite) {
      if (favourite) favourites.add(experimentId);
      else favourites.delete(experimentId);
      await inner.experiments.setFavourite(userId, experimentId, favourite);
    },
    async listForUser(userId, query) {
      const page = await inner.experiments.listForUser(userId, query);
      return { ...page, items: page.items.map((e) => ({ ...e, favourite: favourites.has(e.id) })) };
    },
  };
  return {
    users: inner.users, sessions: inner.sessions, apiTokens: inner.apiTokens, experiments,
    templates: inner.templates, instances: inner.instances, quotas: inner.quotas, audit: inner.audit, leases: inner.leases,
    admitInstance: (i, l) => inner.admitInstance(i, l), ping: () => inner.ping(), close: () => inner.close(),
    transaction: (fn) => inner.transaction(fn),
  };
}

/** A store definition whose instances come from `make`. */
export function storeDefinition(name: string, make: () => Store) {
  return defineStore({ name, configSchema: z.strictObject({}), capabilities: { transactions: true }, create: make });
}
