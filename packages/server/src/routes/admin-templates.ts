/** @module Administration of templates: create or replace, delete. Administrators only. */
import { createRoute, z } from "@hono/zod-openapi";
import { TemplateSchema } from "@calipso/core";
import type { RouteDeps } from "../deps.ts";
import { requireUser } from "../middleware/authenticate.ts";
import { body, errorResponses, json } from "../schemas/common.ts";

const NameParam = z.object({
  name: z.string().regex(/^[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?$/).openapi({ param: { name: "name", in: "path" }, example: "xfce-desktop" }),
});
const TemplateBody = TemplateSchema.omit({ name: true }).openapi("TemplateInput");
// A fresh schema (`.extend`): `.openapi()` exists only on schemas made after @hono/zod-openapi was loaded.
const AdminTemplate = TemplateSchema.extend({}).openapi("AdminTemplate");

const put = createRoute({
  method: "put",
  path: "/api/v1/admin/templates/{name}",
  tags: ["admin"],
  summary: "Create or replace a template",
  request: { params: NameParam, body: body(TemplateBody) },
  responses: { 200: json(AdminTemplate, "The stored template"), ...errorResponses(401, 403, 422) },
});

const del = createRoute({
  method: "delete",
  path: "/api/v1/admin/templates/{name}",
  tags: ["admin"],
  summary: "Delete a template (running instances keep running)",
  request: { params: NameParam },
  responses: { 204: { description: "Deleted" }, ...errorResponses(401, 403, 404) },
});

export function adminTemplateRoutes(d: RouteDeps): void {
  d.app.openapi(put, async (c) => {
    const actor = requireUser(c, { admin: true });
    const template = await d.calipso.admin.putTemplate(actor, { ...c.req.valid("json"), name: c.req.valid("param").name });
    return c.json(template as z.infer<typeof AdminTemplate>, 200);
  });
  d.app.openapi(del, async (c) => {
    const actor = requireUser(c, { admin: true });
    await d.calipso.admin.deleteTemplate(actor, c.req.valid("param").name);
    return c.body(null, 204);
  });
}
