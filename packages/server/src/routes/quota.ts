/** @module The caller's quota: limits and current usage. */
import { createRoute } from "@hono/zod-openapi";
import type { RouteDeps } from "../deps.ts";
import { requireUser } from "../middleware/authenticate.ts";
import { errorResponses, json } from "../schemas/common.ts";
import { QuotaView } from "../schemas/views.ts";
import { quotaView } from "../views.ts";

const get = createRoute({
  method: "get",
  path: "/api/v1/quota",
  tags: ["quota"],
  summary: "The caller's quota and usage",
  responses: { 200: json(QuotaView, "Quota"), ...errorResponses(401, 403) },
});

export function quotaRoutes(d: RouteDeps): void {
  d.app.openapi(get, async (c) => {
    const user = requireUser(c);
    return c.json(quotaView(await d.calipso.quota(user)), 200);
  });
}
