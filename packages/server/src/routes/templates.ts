/** @module Templates the caller may launch. */
import { createRoute, z } from "@hono/zod-openapi";
import type { RouteDeps } from "../deps.ts";
import { requireUser } from "../middleware/authenticate.ts";
import { errorResponses, json } from "../schemas/common.ts";
import { TemplateView } from "../schemas/views.ts";
import { templateView } from "../views.ts";

const list = createRoute({
  method: "get",
  path: "/api/v1/templates",
  tags: ["templates"],
  summary: "Templates the caller may launch",
  responses: { 200: json(z.object({ items: z.array(TemplateView) }).openapi("TemplateList"), "Templates"), ...errorResponses(401, 403) },
});

export function templateRoutes(d: RouteDeps): void {
  d.app.openapi(list, async (c) => {
    const user = requireUser(c);
    const templates = await d.calipso.listTemplates(user);
    return c.json({ items: templates.map(templateView) }, 200);
  });
}
