/** @module Administration of users: listing, roles, own-resources grant, quota overrides. Administrators only. */
import { createRoute, z } from "@hono/zod-openapi";
import type { RouteDeps } from "../deps.ts";
import { requireUser } from "../middleware/authenticate.ts";
import { IdParamSchema, PageQuerySchema, body, errorResponses, json, pageOf } from "../schemas/common.ts";
import { QuotaLimitsView, QuotaView, UserView } from "../schemas/views.ts";
import { pageView, quotaView, userView } from "../views.ts";

const UserPage = pageOf(UserView, "UserPage");
const RolesBody = z.object({ roles: z.array(z.enum(["user", "admin"])).min(1).max(2) }).strict().openapi("SetRolesRequest");
const tags = ["admin"];

const listUsers = createRoute({
  method: "get",
  path: "/api/v1/admin/users",
  tags,
  summary: "Every user",
  request: { query: PageQuerySchema.extend({ search: z.string().max(200).optional() }) },
  responses: { 200: json(UserPage, "One page of users"), ...errorResponses(401, 403, 422) },
});

const setRoles = createRoute({
  method: "put",
  path: "/api/v1/admin/users/{id}/roles",
  tags,
  summary: "Set a user's roles",
  request: { params: IdParamSchema, body: body(RolesBody) },
  responses: { 200: json(UserView, "The user"), ...errorResponses(401, 403, 404, 409, 422) },
});

const OwnResourcesBody = z.object({ mayUseOwnResources: z.boolean() }).strict().openapi("SetOwnResourcesRequest");

const setOwnResources = createRoute({
  method: "put",
  path: "/api/v1/admin/users/{id}/own-resources",
  tags,
  summary: "Allow or forbid a user to launch environments without an experiment",
  request: { params: IdParamSchema, body: body(OwnResourcesBody) },
  responses: { 200: json(UserView, "The user"), ...errorResponses(401, 403, 404, 422) },
});

const quotaRoute = (method: "get" | "put" | "delete") =>
  createRoute({
    method,
    path: "/api/v1/admin/users/{id}/quota",
    tags,
    summary: method === "get" ? "A user's quota and usage" : method === "put" ? "Override a user's quota" : "Remove a user's quota override",
    request: method === "put" ? { params: IdParamSchema, body: body(QuotaLimitsView) } : { params: IdParamSchema },
    responses: { 200: json(QuotaView, "The quota"), ...errorResponses(401, 403, 404, 422) },
  });

export function adminUserRoutes(d: RouteDeps): void {
  d.app.openapi(listUsers, async (c) => {
    const actor = requireUser(c, { admin: true });
    const q = c.req.valid("query");
    const page = await d.calipso.admin.listUsers(actor, {
      ...(q.page !== undefined ? { page: q.page } : {}),
      ...(q.pageSize !== undefined ? { pageSize: q.pageSize } : {}),
      ...(q.search ? { search: q.search } : {}),
    });
    return c.json(pageView(page, userView), 200);
  });
  d.app.openapi(setRoles, async (c) => {
    const actor = requireUser(c, { admin: true });
    const roles = [...new Set(["user" as const, ...c.req.valid("json").roles])];
    return c.json(userView(await d.calipso.admin.setRoles(actor, c.req.valid("param").id, roles)), 200);
  });
  d.app.openapi(setOwnResources, async (c) => {
    const actor = requireUser(c, { admin: true });
    const { mayUseOwnResources } = c.req.valid("json");
    return c.json(userView(await d.calipso.admin.setMayUseOwnResources(actor, c.req.valid("param").id, mayUseOwnResources)), 200);
  });
  d.app.openapi(quotaRoute("get"), async (c) => {
    const actor = requireUser(c, { admin: true });
    return c.json(quotaView(await d.calipso.admin.getQuota(actor, c.req.valid("param").id)), 200);
  });
  d.app.openapi(quotaRoute("put"), async (c) => {
    const actor = requireUser(c, { admin: true });
    const limits = c.req.valid("json" as never) as z.infer<typeof QuotaLimitsView>;
    return c.json(quotaView(await d.calipso.admin.setQuota(actor, c.req.valid("param").id, limits)), 200);
  });
  d.app.openapi(quotaRoute("delete"), async (c) => {
    const actor = requireUser(c, { admin: true });
    return c.json(quotaView(await d.calipso.admin.setQuota(actor, c.req.valid("param").id, null)), 200);
  });
}
