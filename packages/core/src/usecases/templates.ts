/** @module Templates: the config-managed ones are seeded at start; users see those their roles allow. */
import { AppError } from "../errors.ts";
import { TemplateSchema } from "../domain/template.ts";
import type { Template, TemplateInput } from "../domain/template.ts";
import type { User } from "../domain/user.ts";
import { formatIssues } from "../provider.ts";
import type { Ctx } from "./context.ts";

/** Whether the user may see and launch the template. */
export function mayUse(template: Template, user: User): boolean {
  return !template.roles || template.roles.length === 0 || template.roles.some((r) => user.roles.includes(r));
}

/** Throws when a non-link template names a compute backend that is not configured. */
export function checkBackend(ctx: Ctx, template: Template, code: "INVALID_CONFIG" | "VALIDATION_FAILED"): void {
  if (template.kind !== "link" && !Object.hasOwn(ctx.deps.compute, template.backend)) {
    const detail = `Template ${template.name} names compute backend "${template.backend}", which is not configured`;
    throw new AppError(code, { detail, meta: { issues: [{ path: "backend", message: "unknown compute backend" }] } });
  }
}

export async function listTemplates(ctx: Ctx, actor: User): Promise<readonly Template[]> {
  return (await ctx.deps.store.templates.list()).filter((t) => mayUse(t, actor));
}

/** Puts the configured templates into the store (validated; a bad one is an `INVALID_CONFIG`). */
export async function seedTemplates(ctx: Ctx, inputs: readonly TemplateInput[]): Promise<void> {
  const parsed: Template[] = inputs.map((input, i) => {
    const r = TemplateSchema.safeParse(input);
    if (!r.success) throw new AppError("INVALID_CONFIG", { detail: formatIssues(r.error, `templates.${i}`), cause: r.error });
    checkBackend(ctx, r.data, "INVALID_CONFIG");
    return r.data;
  });
  const names = new Set<string>();
  for (const t of parsed) {
    if (names.has(t.name)) throw new AppError("INVALID_CONFIG", { detail: `Template name ${t.name} is used twice` });
    names.add(t.name);
  }
  for (const t of parsed) await ctx.deps.store.templates.put(t);
}
