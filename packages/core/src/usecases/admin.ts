/**
 * @module Admin operations: users and roles, own-resources grants, quota overrides, templates,
 * the audit log. Every call is refused with `FORBIDDEN` for non-admins (seed hole S4).
 */
import { z } from "zod";
import type { AuditEvent } from "../domain/audit.ts";
import type { Page } from "../domain/experiment.ts";
import { QuotaLimitsSchema } from "../domain/quota.ts";
import type { Quota, QuotaLimits } from "../domain/quota.ts";
import { TemplateSchema } from "../domain/template.ts";
import type { Template, TemplateInput } from "../domain/template.ts";
import { RoleSchema, isAdmin } from "../domain/user.ts";
import type { Role, User } from "../domain/user.ts";
import { AppError } from "../errors.ts";
import { audit, requireAdmin, validate } from "./context.ts";
import type { Ctx } from "./context.ts";
import { quotaOf } from "./quota.ts";
import { checkBackend } from "./templates.ts";

const IdSchema = z.string().min(1).max(128);
const RolesSchema = z.array(RoleSchema).max(2);
const FlagSchema = z.boolean();
const TemplateNameSchema = z.string().min(1).max(63);
const PageSchema = z.strictObject({
  page: z.number().int().min(1).max(1_000_000).default(1),
  pageSize: z.number().int().min(1).max(200).default(20),
  search: z.string().max(200).optional(),
});
const AuditQuerySchema = z.strictObject({
  page: z.number().int().min(1).max(1_000_000).default(1),
  pageSize: z.number().int().min(1).max(200).default(50),
  actor: z.string().max(256).optional(),
  target: z.string().max(256).optional(),
});

async function userOrNotFound(ctx: Ctx, userId: string): Promise<User> {
  const id = validate(IdSchema, userId, "user id");
  const user = await ctx.deps.store.users.get(id);
  if (!user) throw new AppError("NOT_FOUND", { detail: "No such user" });
  return user;
}

export async function listUsers(ctx: Ctx, actor: User, query: { page?: number; pageSize?: number; search?: string } = {}): Promise<Page<User>> {
  requireAdmin(actor);
  const q = validate(PageSchema, query ?? {}, "user query");
  return ctx.deps.store.users.list({ page: q.page, pageSize: q.pageSize, ...(q.search ? { search: q.search } : {}) });
}

export async function setRoles(ctx: Ctx, actor: User, userId: string, roles: Role[]): Promise<User> {
  requireAdmin(actor);
  const parsed = validate(RolesSchema, roles, "roles");
  const user = await userOrNotFound(ctx, userId);
  if (user.id === actor.id && !parsed.includes("admin")) {
    throw new AppError("CONFLICT", { detail: "Admins cannot remove their own admin role; ask another admin" });
  }
  const updated = await ctx.deps.store.users.update(user.id, { roles: [...new Set<Role>(["user", ...parsed])] });
  ctx.sessionCache?.deleteUser(user.id);
  await audit(ctx, { actor: actor.id, action: "user.roles", target: `user:${user.id}`, outcome: "success", detail: { roles: updated.roles } });
  return updated;
}

export async function setMayUseOwnResources(ctx: Ctx, actor: User, userId: string, value: boolean): Promise<User> {
  requireAdmin(actor);
  const flag = validate(FlagSchema, value, "mayUseOwnResources");
  const user = await userOrNotFound(ctx, userId);
  const updated = await ctx.deps.store.users.update(user.id, { mayUseOwnResources: flag });
  ctx.sessionCache?.deleteUser(user.id);
  await audit(ctx, { actor: actor.id, action: "user.own-resources", target: `user:${user.id}`, outcome: "success", detail: { value: flag } });
  return updated;
}

export async function getQuota(ctx: Ctx, actor: User, userId: string): Promise<Quota> {
  requireAdmin(actor);
  const user = await userOrNotFound(ctx, userId);
  return quotaOf(ctx, user.id);
}

export async function setQuota(ctx: Ctx, actor: User, userId: string, limits: QuotaLimits | null): Promise<Quota> {
  if (!isAdmin(actor)) {
    // A refused attempt to raise a quota is worth an audit line (seed hole S4).
    await audit(ctx, { actor: actor.id, action: "quota.set", target: `user:${String(userId).slice(0, 128)}`, outcome: "failure", detail: { code: "FORBIDDEN" } });
  }
  requireAdmin(actor);
  const parsed = limits === null ? null : validate(QuotaLimitsSchema, limits, "quota limits");
  const user = await userOrNotFound(ctx, userId);
  await ctx.deps.store.quotas.set(user.id, parsed);
  await audit(ctx, { actor: actor.id, action: "quota.set", target: `user:${user.id}`, outcome: "success", detail: { limits: parsed } });
  return quotaOf(ctx, user.id);
}

export async function putTemplate(ctx: Ctx, actor: User, input: TemplateInput): Promise<Template> {
  requireAdmin(actor);
  const template = validate(TemplateSchema, input, "template");
  checkBackend(ctx, template, "VALIDATION_FAILED");
  if (template.kind !== "link" && template.image === "") {
    throw new AppError("VALIDATION_FAILED", { detail: "A desktop or web template needs an image", meta: { issues: [{ path: "image", message: "required" }] } });
  }
  const existed = (await ctx.deps.store.templates.get(template.name)) !== null;
  await ctx.deps.store.templates.put(template);
  await audit(ctx, { actor: actor.id, action: existed ? "template.update" : "template.create", target: `template:${template.name}`, outcome: "success", detail: { image: template.image } });
  return template;
}

export async function deleteTemplate(ctx: Ctx, actor: User, name: string): Promise<void> {
  requireAdmin(actor);
  const n = validate(TemplateNameSchema, name, "template name");
  if (!(await ctx.deps.store.templates.delete(n))) throw new AppError("NOT_FOUND", { detail: `No template ${n}` });
  await audit(ctx, { actor: actor.id, action: "template.delete", target: `template:${n}`, outcome: "success" });
}

export async function listAudit(ctx: Ctx, actor: User, query: { page?: number; pageSize?: number; actor?: string; target?: string } = {}): Promise<Page<AuditEvent>> {
  requireAdmin(actor);
  const q = validate(AuditQuerySchema, query ?? {}, "audit query");
  return ctx.deps.store.audit.list({
    page: q.page,
    pageSize: q.pageSize,
    ...(q.actor !== undefined ? { actor: q.actor } : {}),
    ...(q.target !== undefined ? { target: q.target } : {}),
  });
}
