/** @module What every use case shares: dependencies, clock, audit, validation, state moves, events. */
import type { z } from "zod";
import type { CalipsoDeps } from "../calipso-types.ts";
import { AppError, errorSpec } from "../errors.ts";
import type { AuditEventInput } from "../domain/audit.ts";
import type { Instance, InstanceState } from "../domain/instance.ts";
import { canTransition } from "../domain/instance-state.ts";
import { isAdmin } from "../domain/user.ts";
import type { User } from "../domain/user.ts";
import { silentLogger } from "../ports/context.ts";
import type { Logger } from "../ports/context.ts";
import type { InstancePatch } from "../ports/store.ts";
import { createId } from "../tokens.ts";
import { EventHub } from "./event-hub.ts";
import { Tasks } from "./tasks.ts";
import { createSessionCache } from "./session-cache.ts";
import type { SessionCache } from "./session-cache.ts";

/** The shared state of one `createCalipso()`. */
export interface Ctx {
  readonly deps: CalipsoDeps;
  readonly logger: Logger;
  readonly now: () => Date;
  readonly hub: EventHub;
  readonly tasks: Tasks;
  /** Lease holder name of this process. */
  readonly holder: string;
  readonly sessionTtlMs: number;
  /** Recently authenticated sessions, when `sessions.cacheSec` > 0. */
  readonly sessionCache: SessionCache | undefined;
  readonly cacheTtlMs: number;
  readonly abortGraceMs: number;
  readonly deploymentId: string;
  /** Experiment syncs in flight per user id (one at a time). */
  readonly syncs: Map<string, Promise<void>>;
}

/** Builds the context from the dependencies. */
export function createCtx(deps: CalipsoDeps): Ctx {
  return {
    deps,
    logger: deps.logger ?? silentLogger,
    now: deps.now ?? (() => new Date()),
    hub: new EventHub(),
    tasks: new Tasks(),
    holder: `calipso-${createId()}`,
    sessionTtlMs: (deps.sessions?.ttlSec ?? 8 * 3600) * 1000,
    sessionCache: (deps.sessions?.cacheSec ?? 0) > 0 ? createSessionCache(deps.sessions!.cacheSec! * 1000) : undefined,
    cacheTtlMs: (deps.experiments.cacheTtlSec ?? 300) * 1000,
    abortGraceMs: deps.abortGraceMs ?? 5000,
    deploymentId: deps.deploymentId ?? "default",
    syncs: new Map(),
  };
}

/** Parses `input` with `schema`, or throws `VALIDATION_FAILED` listing every issue in `meta.issues`. */
export function validate<S extends z.ZodType>(schema: S, input: unknown, what = "request"): z.output<S> {
  const parsed = schema.safeParse(input);
  if (parsed.success) return parsed.data;
  const issues = parsed.error.issues.map((i) => ({ path: i.path.map(String).join("."), message: i.message }));
  throw new AppError("VALIDATION_FAILED", {
    detail: `Invalid ${what}: ${issues.map((i) => (i.path ? `${i.path}: ${i.message}` : i.message)).join("; ")}`,
    meta: { issues },
    cause: parsed.error,
  });
}

/** Appends an audit event; a failing audit write is logged, never hides the outcome of the call. */
export async function audit(ctx: Ctx, event: AuditEventInput): Promise<void> {
  try {
    await ctx.deps.store.audit.append({ ...event, at: ctx.now() });
  } catch (error) {
    ctx.logger.error("audit write failed", { action: event.action, target: event.target, error: String(error) });
  }
}

/** Throws `FORBIDDEN` unless the actor is an admin. */
export function requireAdmin(actor: User): void {
  if (!isAdmin(actor)) throw new AppError("FORBIDDEN", { detail: "This operation needs the admin role" });
}

/** An instance as callers see it: the encrypted secret never leaves core. */
export function publicInstance(instance: Instance): Instance {
  const { secret: _secret, ...rest } = instance;
  return rest;
}

/**
 * Moves an instance to `to` by compare-and-set from the `from` states that may go there
 * (the pure transition table decides); publishes the state event. `null` when the stored
 * state was none of them (someone else moved it first).
 */
export async function move(ctx: Ctx, id: string, from: readonly InstanceState[], to: InstanceState, patch: InstancePatch = {}): Promise<Instance | null> {
  const allowed = from.filter((s) => canTransition(s, to));
  if (allowed.length === 0) return null;
  const updated = await ctx.deps.store.instances.update(id, allowed, { ...patch, state: to });
  if (updated) {
    const event = { instanceId: id, at: ctx.now(), type: "state" as const, state: to };
    ctx.hub.publish(patch.stateReason !== undefined || (updated.stateReason !== undefined && (to === "failed" || to === "terminated")) ? { ...event, message: updated.stateReason ?? "" } : event);
  }
  return updated;
}

/** A human reason from any error (client-safe: AppError details only). */
export function reasonOf(error: unknown, fallback = "Unexpected error"): string {
  if (AppError.is(error)) return error.detail ?? errorSpec(error.code).title;
  return fallback;
}
