/**
 * @module Launch: authorise → atomic quota admission → `pending` returned at once; in the
 * background `starting` → compute start (deadline, progress) → desktop register → `running`.
 * Any failure compensates (stop compute, release desktop) and marks the instance `failed`.
 */
import { z } from "zod";
import type { LaunchRequest } from "../calipso-types.ts";
import { AppError } from "../errors.ts";
import type { Experiment } from "../domain/experiment.ts";
import type { ComputeHandle, DesktopHandle, Instance } from "../domain/instance.ts";
import type { Template } from "../domain/template.ts";
import type { User } from "../domain/user.ts";
import type { ComputeBackend, ComputeStarted, WorkloadSpec } from "../ports/compute.ts";
import { createId, createSecret } from "../tokens.ts";
import { audit, move, publicInstance, reasonOf, validate } from "./context.ts";
import type { Ctx } from "./context.ts";
import { ensureSynced } from "./experiments.ts";
import { failInstance, releaseDesktop, stopCompute } from "./instances.ts";
import { checkBackend, mayUse } from "./templates.ts";
import { buildWorkloadSpec } from "./workload.ts";

const IdSchema = z.string().min(1).max(128);
const TERMINATED_OR_MOVED = "The instance was terminated while it was starting";
const LaunchRequestSchema = z
  .strictObject({ template: z.string().min(1).max(63), experimentId: IdSchema.optional(), sessionId: IdSchema.optional() })
  .refine((r) => r.sessionId === undefined || r.experimentId !== undefined, { message: "a session needs its experimentId", path: ["sessionId"] });

/** The experiment if the actor is a member, in the store AND at the source (asked again now); `NOT_FOUND` otherwise. */
async function authoriseExperiment(ctx: Ctx, actor: User, experimentId: string): Promise<Experiment> {
  const { store } = ctx.deps;
  const notFound = new AppError("NOT_FOUND", { detail: "No such experiment" });
  await ensureSynced(ctx, actor);
  const experiment = await store.experiments.get(experimentId);
  if (!experiment || experiment.source !== ctx.deps.experiments.name) throw notFound;
  if (!(await store.experiments.isMember(actor.id, experiment.id))) throw notFound;
  if (!(await ctx.deps.experiments.source.isMember(actor.username, experiment.proposalId))) throw notFound;
  return experiment;
}

async function mayUseOwnResources(ctx: Ctx, actor: User): Promise<boolean> {
  const stored = await ctx.deps.store.users.get(actor.id);
  if (stored?.mayUseOwnResources === true) return true;
  return (await ctx.deps.auth.mayUseOwnResources?.(actor.username)) === true;
}

export async function launch(ctx: Ctx, actor: User, request: LaunchRequest): Promise<Instance> {
  if (ctx.tasks.shutdown.signal.aborted) throw new AppError("PROVIDER_UNAVAILABLE", { detail: "Calipso is shutting down" });
  const req = validate(LaunchRequestSchema, request, "launch request");
  const { store } = ctx.deps;
  const template = await store.templates.get(req.template);
  if (!template || !mayUse(template, actor)) throw new AppError("NOT_FOUND", { detail: `No template ${req.template}` });
  if (template.kind === "link") throw new AppError("VALIDATION_FAILED", { detail: "A link template opens its URL; there is nothing to launch", meta: { issues: [{ path: "template", message: "link template" }] } });
  checkBackend(ctx, template, "INVALID_CONFIG");

  let experiment: Experiment | undefined;
  if (req.experimentId !== undefined) {
    experiment = await authoriseExperiment(ctx, actor, req.experimentId);
    if (req.sessionId !== undefined && !experiment.sessions.some((s) => s.id === req.sessionId)) {
      throw new AppError("NOT_FOUND", { detail: "No such session in this experiment" });
    }
  } else if (!(await mayUseOwnResources(ctx, actor))) {
    throw new AppError("FORBIDDEN", { detail: "You may only launch environments for experiments you are a member of" });
  }

  const id = createId();
  const secret = createSecret();
  const spec = buildWorkloadSpec(ctx, {
    instanceId: id,
    template,
    user: actor,
    ...(experiment ? { experiment } : {}),
    ...(req.sessionId !== undefined ? { sessionId: req.sessionId } : {}),
    secret,
  });
  const limits = (await store.quotas.get(actor.id)) ?? ctx.deps.quota;
  const candidate: Instance = {
    id,
    owner: actor.id,
    ...(experiment ? { experimentId: experiment.id } : {}),
    ...(req.sessionId !== undefined ? { sessionId: req.sessionId } : {}),
    template: template.name,
    state: "pending",
    resources: { ...template.resources },
    secret: await ctx.deps.secrets.encrypt(secret),
    createdAt: ctx.now(),
  };
  let admitted: Instance;
  try {
    admitted = await store.admitInstance(candidate, limits);
  } catch (error) {
    const detail = AppError.is(error, "QUOTA_EXCEEDED") ? { limit: String(error.meta?.["limit"] ?? "") } : {};
    await audit(ctx, { actor: actor.id, action: "instance.launch", target: `instance:${id}`, outcome: "failure", detail: { template: template.name, code: AppError.is(error) ? error.code : "INTERNAL", ...detail } });
    throw error;
  }
  await audit(ctx, {
    actor: actor.id,
    action: "instance.launch",
    target: `instance:${id}`,
    outcome: "success",
    detail: { template: template.name, ...(experiment ? { experimentId: experiment.id } : {}) },
  });
  ctx.hub.publish({ instanceId: id, at: ctx.now(), type: "state", state: "pending" });
  startInBackground(ctx, admitted, spec, template, actor);
  return publicInstance(admitted);
}

function startInBackground(ctx: Ctx, instance: Instance, spec: WorkloadSpec, template: Template, owner: User): void {
  const controller = new AbortController();
  const task = { controller, done: Promise.resolve() };
  ctx.tasks.starts.set(instance.id, task);
  task.done = ctx.tasks.track(
    runStart(ctx, instance.id, spec, template, owner, controller).finally(() => {
      if (ctx.tasks.starts.get(instance.id) === task) ctx.tasks.starts.delete(instance.id);
    }),
  );
}

function abortError(signal: AbortSignal): unknown {
  return signal.reason ?? new AppError("PROVIDER_TIMEOUT", { detail: "The start was aborted" });
}

/** Rejects `grace` ms after `signal` aborts, so a backend that ignores the abort cannot hang us. */
function afterGrace(signal: AbortSignal, grace: number): { promise: Promise<never>; cancel: () => void } {
  let timer: ReturnType<typeof setTimeout> | undefined;
  let onAbort = () => {};
  const promise = new Promise<never>((_, reject) => {
    onAbort = () => (timer = setTimeout(() => reject(abortError(signal)), grace));
    if (signal.aborted) onAbort();
    else signal.addEventListener("abort", onAbort, { once: true });
  });
  promise.catch(() => {});
  return {
    promise,
    cancel: () => {
      signal.removeEventListener("abort", onAbort);
      if (timer !== undefined) clearTimeout(timer);
    },
  };
}

async function startCompute(ctx: Ctx, backend: ComputeBackend, spec: WorkloadSpec, signal: AbortSignal, id: string, backendName: string): Promise<ComputeStarted> {
  let gaveUp = false;
  const start = backend.start(spec, {
    signal,
    onProgress: (p) => ctx.hub.publish({ instanceId: id, at: ctx.now(), type: "progress", state: "starting", message: p.message, ...(p.percent !== undefined ? { percent: p.percent } : {}) }),
  });
  // A backend that ignored the abort and finishes after we gave up: stop what it started.
  start.then(
    (late) => {
      if (gaveUp) void ctx.tasks.track(stopCompute(ctx, { ...late.handle, backend: backendName }));
    },
    () => {},
  );
  const grace = afterGrace(signal, ctx.abortGraceMs);
  try {
    return await Promise.race([start, grace.promise]);
  } catch (error) {
    gaveUp = true;
    throw error;
  } finally {
    grace.cancel();
  }
}

async function runStart(ctx: Ctx, id: string, spec: WorkloadSpec, template: Template, owner: User, controller: AbortController): Promise<void> {
  const { store } = ctx.deps;
  const signal = controller.signal;
  const timer = setTimeout(
    () => controller.abort(new AppError("PROVIDER_TIMEOUT", { detail: `The environment did not become ready within ${template.timeoutSec} s` })),
    template.timeoutSec * 1000,
  );
  const onShutdown = () => controller.abort(new AppError("PROVIDER_UNAVAILABLE", { detail: "Calipso shut down while the environment was starting" }));
  ctx.tasks.shutdown.signal.addEventListener("abort", onShutdown, { once: true });
  let compute: ComputeHandle | undefined;
  let desktop: DesktopHandle | undefined;
  const interrupted = () => {
    if (signal.aborted) throw abortError(signal);
  };
  try {
    if (ctx.tasks.shutdown.signal.aborted) onShutdown();
    interrupted();
    if (!(await move(ctx, id, ["pending"], "starting"))) return;
    const backend = ctx.deps.compute[template.backend];
    if (!backend) throw new AppError("INVALID_CONFIG", { detail: `Compute backend ${template.backend} is not configured` });
    const started = await startCompute(ctx, backend, spec, signal, id, template.backend);
    compute = { ...started.handle, backend: template.backend };
    const stored = await store.instances.update(id, ["starting"], { compute });
    interrupted();
    if (!stored) throw new AppError("CONFLICT", { detail: TERMINATED_OR_MOVED });
    if (template.kind === "desktop" && ctx.deps.desktop) {
      desktop = await ctx.deps.desktop.register({ instanceId: id, owner: owner.username, endpoint: started.endpoint, secret: spec.secret.value, title: template.title }, { signal });
      interrupted();
      if (!(await store.instances.update(id, ["starting"], { desktop }))) throw new AppError("CONFLICT", { detail: TERMINATED_OR_MOVED });
    }
    interrupted();
    const now = ctx.now();
    const running = await move(ctx, id, ["starting"], "running", {
      endpoint: started.endpoint,
      startedAt: now,
      lastActivityAt: now,
      ...(template.maxLifetimeHours !== undefined ? { expiresAt: new Date(now.getTime() + template.maxLifetimeHours * 3_600_000) } : {}),
    });
    if (!running) throw new AppError("CONFLICT", { detail: TERMINATED_OR_MOVED });
    await audit(ctx, { actor: "system", action: "instance.start", target: `instance:${id}`, outcome: "success", detail: { owner: owner.id, template: template.name } });
  } catch (error) {
    const cause = signal.aborted ? abortError(signal) : error;
    if (desktop) await releaseDesktop(ctx, desktop);
    if (compute) await stopCompute(ctx, compute);
    if (!AppError.is(error)) ctx.logger.error("start failed unexpectedly", { instance: id, error: String(error) });
    // A termination in progress owns the end state; otherwise the start failed.
    await failInstance(ctx, id, reasonOf(cause, "The environment failed to start"));
  } finally {
    clearTimeout(timer);
    ctx.tasks.shutdown.signal.removeEventListener("abort", onShutdown);
  }
}
