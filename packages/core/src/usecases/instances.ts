/**
 * @module Instances after launch: read (owner or admin; anyone else gets NOT_FOUND), list,
 * terminate (idempotent, aborts a start in flight), desktop access, and the clean-up helpers
 * that compensation, the reconciler and the reaper share.
 */
import { z } from "zod";
import { AppError } from "../errors.ts";
import { InstanceStateSchema, isTerminal } from "../domain/instance.ts";
import type { ComputeHandle, DesktopHandle, Instance, InstanceState } from "../domain/instance.ts";
import type { Page } from "../domain/experiment.ts";
import { transition } from "../domain/instance-state.ts";
import { isAdmin } from "../domain/user.ts";
import type { User } from "../domain/user.ts";
import type { ComputeBackend } from "../ports/compute.ts";
import type { DesktopAccess } from "../ports/desktop.ts";
import { audit, move, publicInstance, reasonOf, validate } from "./context.ts";
import type { Ctx } from "./context.ts";

/** The abort reason given to a start that its instance's termination interrupts. */
export const TERMINATED_DURING_START = "Terminated while it was starting";

function notFound(): AppError {
  return new AppError("NOT_FOUND", { detail: "No such instance" });
}

/** The instance if the actor owns it or is an admin; `NOT_FOUND` otherwise (foreign ids do not leak). */
export async function findVisible(ctx: Ctx, actor: User, id: string): Promise<Instance> {
  if (typeof id !== "string" || id.length === 0 || id.length > 128) throw notFound();
  const instance = await ctx.deps.store.instances.get(id);
  if (!instance || (instance.owner !== actor.id && !isAdmin(actor))) throw notFound();
  return instance;
}

export async function getInstance(ctx: Ctx, actor: User, id: string): Promise<Instance> {
  return publicInstance(await findVisible(ctx, actor, id));
}

const AccessOptionsSchema = z.strictObject({ readOnly: z.boolean().optional() });
const ListQuerySchema = z.strictObject({
  page: z.number().int().min(1).max(1_000_000).default(1),
  pageSize: z.number().int().min(1).max(200).default(20),
  states: z.array(InstanceStateSchema).max(6).optional(),
  all: z.boolean().default(false),
});

export async function listInstances(
  ctx: Ctx,
  actor: User,
  query: { page?: number; pageSize?: number; states?: InstanceState[]; all?: boolean } = {},
): Promise<Page<Instance>> {
  const q = validate(ListQuerySchema, query ?? {}, "instance query");
  if (q.all && !isAdmin(actor)) throw new AppError("FORBIDDEN", { detail: "Only admins may list every user's instances" });
  const page = await ctx.deps.store.instances.list({
    ...(q.all ? {} : { owner: actor.id }),
    ...(q.states ? { states: q.states } : {}),
    page: q.page,
    pageSize: q.pageSize,
  });
  return { ...page, items: page.items.map(publicInstance) };
}

/** The configured backend that owns a handle. */
export function backendOf(ctx: Ctx, handle: ComputeHandle): ComputeBackend | undefined {
  return Object.hasOwn(ctx.deps.compute, handle.backend) ? ctx.deps.compute[handle.backend] : undefined;
}

/** Stops a workload; failures are logged and reported as `false` (the reconciler retries later). */
export async function stopCompute(ctx: Ctx, handle: ComputeHandle): Promise<boolean> {
  const backend = backendOf(ctx, handle);
  if (!backend) {
    ctx.logger.error("no configured compute backend for a handle", { backend: handle.backend });
    return false;
  }
  try {
    await backend.stop(handle);
    return true;
  } catch (error) {
    ctx.logger.error("compute stop failed", { backend: handle.backend, id: handle.id, error: reasonOf(error) });
    return false;
  }
}

/** Releases a desktop registration; failures are logged and reported as `false`. */
export async function releaseDesktop(ctx: Ctx, handle: DesktopHandle): Promise<boolean> {
  if (!ctx.deps.desktop) return false;
  try {
    await ctx.deps.desktop.release(handle);
    return true;
  } catch (error) {
    ctx.logger.error("desktop release failed", { id: handle.id, error: reasonOf(error) });
    return false;
  }
}

/** Marks an instance failed (from any non-terminal state but `terminating`, which its teardown owns) and audits it. */
export async function failInstance(ctx: Ctx, id: string, reason: string, from: readonly InstanceState[] = ["pending", "starting", "running"]): Promise<Instance | null> {
  const failed = await move(ctx, id, from, "failed", { stateReason: reason.slice(0, 2000), endedAt: ctx.now() });
  if (failed) await audit(ctx, { actor: "system", action: "instance.fail", target: `instance:${id}`, outcome: "failure", detail: { reason: failed.stateReason ?? reason } });
  return failed;
}

/** Finishes a termination: waits for a start in flight (aborting it), releases the desktop, stops the workload. */
export async function teardown(ctx: Ctx, id: string): Promise<void> {
  if (ctx.tasks.teardowns.has(id)) return;
  ctx.tasks.teardowns.add(id);
  try {
    const start = ctx.tasks.starts.get(id);
    if (start) {
      start.controller.abort(new AppError("CONFLICT", { detail: TERMINATED_DURING_START }));
      await start.done;
    }
    const current = await ctx.deps.store.instances.get(id);
    if (!current || current.state !== "terminating") return;
    const released = current.desktop ? await releaseDesktop(ctx, current.desktop) : true;
    const stopped = current.compute ? await stopCompute(ctx, current.compute) : true;
    if (released && stopped) {
      await move(ctx, id, ["terminating"], "terminated", { endedAt: ctx.now() });
      await audit(ctx, { actor: "system", action: "instance.terminated", target: `instance:${id}`, outcome: "success" });
    } else {
      // Terminal either way: the reconciler removes what is left once no active instance claims it.
      await failInstance(ctx, id, "The environment could not be removed cleanly; it will be cleaned up automatically", ["terminating"]);
    }
  } finally {
    ctx.tasks.teardowns.delete(id);
  }
}

/** Moves an instance to `terminating` (idempotent on terminating and terminal ones) and tears it down in the background. */
export async function terminateInstance(ctx: Ctx, instance: Instance, actorId: string, reason: string): Promise<Instance> {
  let current = instance;
  for (let attempt = 0; attempt < 5; attempt++) {
    if (isTerminal(current.state) || current.state === "terminating") return current;
    transition(current.state, "terminating");
    const moved = await move(ctx, current.id, [current.state], "terminating", { stateReason: reason });
    if (moved) {
      await audit(ctx, { actor: actorId, action: "instance.terminate", target: `instance:${current.id}`, outcome: "success", detail: { from: current.state, reason } });
      void ctx.tasks.track(teardown(ctx, current.id));
      return moved;
    }
    current = (await ctx.deps.store.instances.get(current.id)) ?? current;
  }
  throw new AppError("CONFLICT", { detail: "The instance kept changing state; try again" });
}

export async function terminate(ctx: Ctx, actor: User, id: string): Promise<Instance> {
  const instance = await findVisible(ctx, actor, id);
  const reason = instance.owner === actor.id ? "Terminated by its owner" : "Terminated by an admin";
  return publicInstance(await terminateInstance(ctx, instance, actor.id, reason));
}

export async function access(ctx: Ctx, actor: User, id: string, options: { readOnly?: boolean } = {}): Promise<DesktopAccess> {
  const opts = validate(AccessOptionsSchema, options ?? {}, "access options");
  const instance = await findVisible(ctx, actor, id);
  if (instance.state !== "running") throw new AppError("CONFLICT", { detail: `The environment is ${instance.state}, not running` });
  if (!instance.desktop) throw new AppError("CONFLICT", { detail: "This environment has no remote desktop" });
  const desktop = ctx.deps.desktop;
  if (!desktop) throw new AppError("UNSUPPORTED", { detail: "No remote desktop gateway is configured" });
  const result = await desktop.access(instance.desktop, { username: actor.username, ...(opts.readOnly !== undefined ? { readOnly: opts.readOnly } : {}) });
  await ctx.deps.store.instances.update(id, ["running"], { lastActivityAt: ctx.now() });
  await audit(ctx, { actor: actor.id, action: "instance.access", target: `instance:${id}`, outcome: "success", detail: { readOnly: opts.readOnly === true } });
  return result;
}
