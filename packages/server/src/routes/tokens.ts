/** @module Personal API tokens: list, create (the token is shown once), revoke. Session only. */
import { createRoute, z } from "@hono/zod-openapi";
import type { RouteDeps } from "../deps.ts";
import { requireUser } from "../middleware/authenticate.ts";
import { IdParamSchema, body, errorResponses, json } from "../schemas/common.ts";
import { ApiTokenView } from "../schemas/views.ts";
import { apiTokenView } from "../views.ts";

const CreateTokenBody = z
  .object({
    name: z.string().min(1).max(128).openapi({ example: "analysis script" }),
    scopes: z.array(z.enum(["read", "write", "admin"])).min(1).max(3).openapi({ example: ["read"] }),
    expiresAt: z.iso.datetime({ offset: true }).optional().openapi({ description: "ISO 8601; never expires when absent" }),
  })
  .strict()
  .openapi("CreateApiTokenRequest");

const CreatedToken = z
  .object({ token: z.string().describe("The secret: shown once, only its hash is stored"), record: ApiTokenView })
  .openapi("CreatedApiToken");

const list = createRoute({
  method: "get",
  path: "/api/v1/tokens",
  tags: ["tokens"],
  summary: "The caller's personal API tokens (never the secrets)",
  responses: { 200: json(z.object({ items: z.array(ApiTokenView) }).openapi("ApiTokenList"), "Tokens"), ...errorResponses(401, 403) },
});

const create = createRoute({
  method: "post",
  path: "/api/v1/tokens",
  tags: ["tokens"],
  summary: "Create a personal API token",
  description: "Use it as `Authorization: Bearer <token>`. The `admin` scope is only granted to administrators.",
  request: { body: body(CreateTokenBody) },
  responses: { 201: json(CreatedToken, "Created"), ...errorResponses(401, 403, 422) },
});

const revoke = createRoute({
  method: "delete",
  path: "/api/v1/tokens/{id}",
  tags: ["tokens"],
  summary: "Revoke a personal API token",
  request: { params: IdParamSchema },
  responses: { 204: { description: "Revoked" }, ...errorResponses(401, 403, 404) },
});

export function tokenRoutes(d: RouteDeps): void {
  d.app.openapi(list, async (c) => {
    const user = requireUser(c, { session: true });
    return c.json({ items: (await d.calipso.listApiTokens(user)).map(apiTokenView) }, 200);
  });
  d.app.openapi(create, async (c) => {
    const user = requireUser(c, { session: true });
    const b = c.req.valid("json");
    const created = await d.calipso.createApiToken(user, {
      name: b.name,
      scopes: [...new Set(b.scopes)],
      ...(b.expiresAt ? { expiresAt: new Date(b.expiresAt) } : {}),
    });
    c.header("cache-control", "no-store");
    return c.json({ token: created.token, record: apiTokenView(created.record) }, 201);
  });
  d.app.openapi(revoke, async (c) => {
    const user = requireUser(c, { session: true });
    await d.calipso.revokeApiToken(user, c.req.valid("param").id);
    return c.body(null, 204);
  });
}
