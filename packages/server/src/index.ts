/**
 * @module @calipso/server — the Calipso REST API (`createApp()`), web-standard. The Node host
 * (config file, CLI, listener) is at `@calipso/server/node`.
 */
export { createApp, OPENAPI_PATH } from "./app.ts";
export type { AppOptions, ResponseInfo } from "./options.ts";
export type { AppEnv, AppVariables, Principal } from "./env.ts";
export { CSRF_HEADER, createCsrfTokens, originAllowed } from "./middleware/csrf.ts";
export type { CsrfTokens } from "./middleware/csrf.ts";
export { createMemoryRateLimiter } from "./middleware/rate-limit.ts";
export type { RateLimit, RateLimiter } from "./middleware/rate-limit.ts";
export { PROBLEM_CONTENT_TYPE } from "./problem.ts";
