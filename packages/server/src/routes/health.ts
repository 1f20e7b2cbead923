/** @module Liveness (`/healthz`) and readiness (`/readyz`: store and providers). */
import { createRoute, z } from "@hono/zod-openapi";
import { toAppError } from "@calipso/core";
import type { RouteDeps } from "../deps.ts";
import { errorResponses, json } from "../schemas/common.ts";

const Status = z.object({ status: z.literal("ok") }).openapi("HealthStatus");

const healthz = createRoute({
  method: "get",
  path: "/healthz",
  tags: ["operations"],
  summary: "Liveness: the process answers",
  responses: { 200: json(Status, "Alive") },
});

const readyz = createRoute({
  method: "get",
  path: "/readyz",
  tags: ["operations"],
  summary: "Readiness: the store and the providers answer",
  responses: { 200: json(Status, "Ready"), ...errorResponses(503) },
});

export function healthRoutes(d: RouteDeps): void {
  d.app.openapi(healthz, (c) => c.json({ status: "ok" as const }, 200));
  d.app.openapi(readyz, async (c) => {
    try {
      await d.options.ready?.();
    } catch (error) {
      d.options.logger.warn("readiness check failed", { error: String(error) });
      throw toAppError(error, "PROVIDER_UNAVAILABLE", { detail: "Not ready: a provider or the store does not answer" });
    }
    return c.json({ status: "ok" as const }, 200);
  });
}
