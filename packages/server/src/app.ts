/** @module `createApp()`: the Calipso REST API as a web-standard OpenAPIHono app. */
import { OpenAPIHono } from "@hono/zod-openapi";
import { cors } from "hono/cors";
import { AppError } from "@calipso/core";
import type { Calipso } from "@calipso/core";
import type { RouteDeps } from "./deps.ts";
import type { AppEnv } from "./env.ts";
import { authenticate } from "./middleware/authenticate.ts";
import { csrfProtection, createCsrfTokens } from "./middleware/csrf.ts";
import { createMemoryRateLimiter } from "./middleware/rate-limit.ts";
import { requestContext } from "./middleware/request-context.ts";
import type { AppOptions } from "./options.ts";
import { resolveOptions } from "./options.ts";
import { makeValidationHook, normaliseError, problemResponse } from "./problem.ts";
import { adminInstanceRoutes } from "./routes/admin-instances.ts";
import { adminTemplateRoutes } from "./routes/admin-templates.ts";
import { adminUserRoutes } from "./routes/admin-users.ts";
import { authRoutes } from "./routes/auth.ts";
import { docsRoutes } from "./routes/docs.ts";
import { eventRoutes } from "./routes/events.ts";
import { experimentRoutes } from "./routes/experiments.ts";
import { healthRoutes } from "./routes/health.ts";
import { instanceRoutes } from "./routes/instances.ts";
import { oidcRoutes } from "./routes/oidc.ts";
import { quotaRoutes } from "./routes/quota.ts";
import { templateRoutes } from "./routes/templates.ts";
import { tokenRoutes } from "./routes/tokens.ts";

/** Where the OpenAPI document is served. */
export const OPENAPI_PATH = "/api/openapi.json";

/**
 * Creates the Calipso REST API. Web-standard: runs on Node, Deno, Bun and Workers, and can be
 * mounted in any Hono app (`parent.route("/calipso", createApp(calipso))`).
 *
 * @example
 * const app = createApp(calipso, { cookie: { secure: false } });
 * const res = await app.request("/api/v1/auth/me");
 */
export function createApp(calipso: Calipso, options: AppOptions & { signal?: AbortSignal } = {}): OpenAPIHono<AppEnv> {
  const o = resolveOptions(options);
  const app = new OpenAPIHono<AppEnv>({ defaultHook: makeValidationHook(o.problemTypeBase) as never });
  const deps: RouteDeps = {
    app,
    calipso,
    options: o,
    csrf: createCsrfTokens(o.csrfKey ?? crypto.getRandomValues(new Uint8Array(32))),
    limiter: o.rateLimiter ?? createMemoryRateLimiter(),
  };

  app.use("*", requestContext(o));
  if (o.allowedOrigins?.length) {
    // Front ends on the configured origins may call the API with the session cookie (CSRF checks still apply).
    const origins = [...o.allowedOrigins];
    app.use(
      "/api/v1/*",
      cors({
        origin: (origin) => (origins.includes(origin) ? origin : null),
        credentials: true,
        allowMethods: ["GET", "HEAD", "POST", "PUT", "DELETE"],
        allowHeaders: ["content-type", "authorization", "x-csrf-token", "x-request-id"],
        exposeHeaders: ["x-request-id", "retry-after", "location"],
        maxAge: 600,
      }),
    );
  }
  app.use("/api/v1/*", authenticate(calipso, o));
  app.use("/api/v1/*", csrfProtection(deps.csrf, { publicUrl: o.publicUrl, allowed: o.allowedOrigins }));

  authRoutes(deps);
  oidcRoutes(deps);
  experimentRoutes(deps);
  templateRoutes(deps);
  instanceRoutes(deps);
  eventRoutes(deps, options.signal ?? new AbortController().signal);
  quotaRoutes(deps);
  tokenRoutes(deps);
  adminUserRoutes(deps);
  adminTemplateRoutes(deps);
  adminInstanceRoutes(deps);
  healthRoutes(deps);
  docsRoutes(deps);

  app.openAPIRegistry.registerComponent("securitySchemes", "session", { type: "apiKey", in: "cookie", name: o.cookieName });
  app.openAPIRegistry.registerComponent("securitySchemes", "bearer", { type: "http", scheme: "bearer", description: "Personal API token" });
  // Generated once, on first request: building the document walks every schema.
  let document: string | undefined;
  app.get(OPENAPI_PATH, (c) => {
    document ??= JSON.stringify(
      app.getOpenAPI31Document({
        openapi: "3.1.0",
        info: {
          title: o.info?.title ?? "Calipso API",
          version: o.info?.version ?? "1",
          description:
            o.info?.description ??
            "Remote analysis environments for scientific facilities. Errors are RFC 9457 problem details. Cookie-authenticated unsafe requests need the X-CSRF-Token header.",
        },
        security: [{ session: [] }, { bearer: [] }],
      }),
    );
    return c.body(document, 200, { "content-type": "application/json; charset=utf-8", "cache-control": "no-cache" });
  });

  app.notFound((c) => problemResponse(c, new AppError("NOT_FOUND", { detail: `No route ${c.req.method} ${c.req.path}` }), o.problemTypeBase));
  app.onError((error, c) => {
    const e = normaliseError(error);
    const status = AppError.is(e) ? e.status : 500;
    const logger = c.get("logger") ?? o.logger;
    if (status >= 500) logger.error("request failed", { err: describe(error), status });
    else logger.debug("request refused", { code: AppError.is(e) ? e.code : "INTERNAL", status });
    return problemResponse(c, e, o.problemTypeBase);
  });
  return app;
}

/** Log form of an error: name, message, code and cause chain (never shown to clients). */
function describe(error: unknown): Record<string, unknown> {
  if (!(error instanceof Error)) return { value: String(error) };
  const out: Record<string, unknown> = { name: error.name, message: error.message };
  if (AppError.is(error)) Object.assign(out, { code: error.code, provider: error.provider });
  if (error.stack) out["stack"] = error.stack;
  if (error.cause !== undefined) out["cause"] = describe(error.cause);
  return out;
}
