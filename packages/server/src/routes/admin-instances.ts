/** @module Administration: every instance, and the audit log. Administrators only. */
import { createRoute, z } from "@hono/zod-openapi";
import type { RouteDeps } from "../deps.ts";
import { requireUser } from "../middleware/authenticate.ts";
import { PageQuerySchema, errorResponses, json, pageOf } from "../schemas/common.ts";
import { AuditEventView } from "../schemas/views.ts";
import { auditView, instanceView, pageView } from "../views.ts";
import { InstancePage, StatesQuery } from "./instances.ts";

const AuditPage = pageOf(AuditEventView, "AuditPage");

const instances = createRoute({
  method: "get",
  path: "/api/v1/admin/instances",
  tags: ["admin"],
  summary: "Every user's instances",
  request: { query: PageQuerySchema.extend({ state: StatesQuery }) },
  responses: { 200: json(InstancePage, "One page of instances"), ...errorResponses(401, 403, 422) },
});

const audit = createRoute({
  method: "get",
  path: "/api/v1/admin/audit",
  tags: ["admin"],
  summary: "The audit log, newest first",
  request: {
    query: PageQuerySchema.extend({
      actor: z.string().max(128).optional().openapi({ description: "User id, or 'system'" }),
      target: z.string().max(256).optional().openapi({ description: "e.g. instance:<id>" }),
    }),
  },
  responses: { 200: json(AuditPage, "One page of audit events"), ...errorResponses(401, 403, 422) },
});

export function adminInstanceRoutes(d: RouteDeps): void {
  d.app.openapi(instances, async (c) => {
    const actor = requireUser(c, { admin: true });
    const q = c.req.valid("query");
    const page = await d.calipso.listInstances(actor, {
      all: true,
      ...(q.page !== undefined ? { page: q.page } : {}),
      ...(q.pageSize !== undefined ? { pageSize: q.pageSize } : {}),
      ...(q.state ? { states: q.state } : {}),
    });
    return c.json(pageView(page, instanceView), 200);
  });
  d.app.openapi(audit, async (c) => {
    const actor = requireUser(c, { admin: true });
    const q = c.req.valid("query");
    const page = await d.calipso.admin.listAudit(actor, {
      ...(q.page !== undefined ? { page: q.page } : {}),
      ...(q.pageSize !== undefined ? { pageSize: q.pageSize } : {}),
      ...(q.actor ? { actor: q.actor } : {}),
      ...(q.target ? { target: q.target } : {}),
    });
    return c.json(pageView(page, auditView), 200);
  });
}
