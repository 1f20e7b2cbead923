/** @module What every route module receives. */
import type { OpenAPIHono } from "@hono/zod-openapi";
import type { Calipso } from "@calipso/core";
import type { AppEnv } from "./env.ts";
import type { CsrfTokens } from "./middleware/csrf.ts";
import type { RateLimiter } from "./middleware/rate-limit.ts";
import type { ResolvedOptions } from "./options.ts";

export interface RouteDeps {
  readonly app: OpenAPIHono<AppEnv>;
  readonly calipso: Calipso;
  readonly options: ResolvedOptions;
  readonly csrf: CsrfTokens;
  readonly limiter: RateLimiter;
}
