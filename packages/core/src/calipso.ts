/**
 * @module `createCalipso(deps)`: Calipso's use cases over already-instantiated providers.
 */
import type { Calipso, CalipsoDeps } from "./calipso-types.ts";
import { AppError } from "./errors.ts";
import { QuotaLimitsSchema } from "./domain/quota.ts";
import * as admin from "./usecases/admin.ts";
import * as auth from "./usecases/auth.ts";
import { createCtx } from "./usecases/context.ts";
import { events } from "./usecases/events.ts";
import { listExperiments, setFavourite } from "./usecases/experiments.ts";
import { access, getInstance, listInstances, terminate } from "./usecases/instances.ts";
import { launch } from "./usecases/launch.ts";
import { checkMountConfig } from "./usecases/mounts.ts";
import { quota } from "./usecases/quota.ts";
import { reap } from "./usecases/reap.ts";
import { reconcile } from "./usecases/reconcile.ts";
import { listTemplates, seedTemplates } from "./usecases/templates.ts";

const LABEL_VALUE = /^[A-Za-z0-9]([A-Za-z0-9._-]{0,61}[A-Za-z0-9])?$/;

function checkDeps(deps: CalipsoDeps): void {
  if (!deps?.store || !deps.auth || !deps.experiments?.source || !deps.secrets || !deps.mounts || !deps.compute) {
    throw new AppError("INVALID_CONFIG", { detail: "createCalipso needs store, auth, experiments, compute, secrets and mounts" });
  }
  checkMountConfig(deps.mounts);
  if (!QuotaLimitsSchema.safeParse(deps.quota).success) throw new AppError("INVALID_CONFIG", { detail: "quota must give instances, cpu, memoryMiB and storageGiB" });
  const cacheSec = deps.sessions?.cacheSec;
  if (cacheSec !== undefined && !(Number.isFinite(cacheSec) && cacheSec >= 0 && cacheSec <= 3600)) {
    throw new AppError("INVALID_CONFIG", { detail: "sessions.cacheSec must be between 0 (off) and 3600 seconds" });
  }
  if (deps.deploymentId !== undefined && !LABEL_VALUE.test(deps.deploymentId)) {
    throw new AppError("INVALID_CONFIG", { detail: "deploymentId must be a label value: letters, digits, . _ -, at most 63 characters" });
  }
  if (deps.defaultPosix && (!Number.isInteger(deps.defaultPosix.uid) || !Number.isInteger(deps.defaultPosix.gid) || deps.defaultPosix.uid < 0 || deps.defaultPosix.gid < 0)) {
    throw new AppError("INVALID_CONFIG", { detail: "defaultPosix needs non-negative integer uid and gid" });
  }
}

/**
 * Creates Calipso's use cases. Call `init()` once at start (seeds config templates), run
 * `reconcile()` and `reap()` periodically, and `dispose()` at shutdown.
 *
 * @example
 * const calipso = createCalipso({ store, auth, experiments: { name: "uo", source }, compute: { default: docker },
 *   desktop, secrets, mounts: { dataRoot: "/data", outputRoot: "/output" }, quota });
 * await calipso.init();
 */
export function createCalipso(deps: CalipsoDeps): Calipso {
  checkDeps(deps);
  const ctx = createCtx(deps);
  let disposed: Promise<void> | undefined;
  return {
    login: (request, options) => auth.login(ctx, request, options),
    startRedirectLogin: (options) => auth.startRedirectLogin(ctx, options),
    finishRedirectLogin: (options) => auth.finishRedirectLogin(ctx, options),
    authenticate: (token) => auth.authenticate(ctx, token),
    logout: (token) => auth.logout(ctx, token),
    createApiToken: (actor, input) => auth.createApiToken(ctx, actor, input),
    listApiTokens: (actor) => auth.listApiTokens(ctx, actor),
    revokeApiToken: (actor, id) => auth.revokeApiToken(ctx, actor, id),
    authenticateApiToken: (token) => auth.authenticateApiToken(ctx, token),

    listExperiments: (actor, query) => listExperiments(ctx, actor, query),
    setFavourite: (actor, id, favourite) => setFavourite(ctx, actor, id, favourite),
    listTemplates: (actor) => listTemplates(ctx, actor),

    launch: (actor, request) => launch(ctx, actor, request),
    getInstance: (actor, id) => getInstance(ctx, actor, id),
    listInstances: (actor, query) => listInstances(ctx, actor, query),
    terminate: (actor, id) => terminate(ctx, actor, id),
    access: (actor, id, options) => access(ctx, actor, id, options),
    events: (actor, id, options) => events(ctx, actor, id, options),
    quota: (actor) => quota(ctx, actor),

    admin: {
      listUsers: (actor, query) => admin.listUsers(ctx, actor, query),
      setRoles: (actor, userId, roles) => admin.setRoles(ctx, actor, userId, roles),
      setMayUseOwnResources: (actor, userId, value) => admin.setMayUseOwnResources(ctx, actor, userId, value),
      getQuota: (actor, userId) => admin.getQuota(ctx, actor, userId),
      setQuota: (actor, userId, limits) => admin.setQuota(ctx, actor, userId, limits),
      putTemplate: (actor, template) => admin.putTemplate(ctx, actor, template),
      deleteTemplate: (actor, name) => admin.deleteTemplate(ctx, actor, name),
      listAudit: (actor, query) => admin.listAudit(ctx, actor, query),
    },

    reconcile: (options) => reconcile(ctx, options),
    reap: (options) => reap(ctx, options),
    init: () => seedTemplates(ctx, deps.templates ?? []),
    idle: () => ctx.tasks.idle(),
    dispose() {
      disposed ??= (async () => {
        ctx.tasks.shutdown.abort(new AppError("PROVIDER_UNAVAILABLE", { detail: "Calipso is shutting down" }));
        await ctx.tasks.idle();
        const providers = [deps.auth, deps.experiments.source, deps.desktop, ...Object.values(deps.compute)];
        await Promise.allSettled(providers.map((p) => p?.dispose?.()));
      })();
      return disposed;
    },
  };
}
