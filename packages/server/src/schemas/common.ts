/** @module Shared OpenAPI schemas: problems, pages, ids, and the response helpers of routes. */
import { z } from "@hono/zod-openapi";

/** An RFC 9457 problem as every error response carries it. */
export const ProblemSchema = z
  .object({
    type: z.string().describe("URI of the error code's documentation"),
    title: z.string(),
    status: z.number().int(),
    code: z.string().describe("Catalogue code, e.g. NOT_FOUND"),
    detail: z.string().optional(),
    instance: z.string().optional().describe("Path of the request"),
    retryable: z.boolean(),
    issues: z.array(z.object({ in: z.string(), path: z.string(), code: z.string(), message: z.string() })).optional().describe("Validation issues (422)"),
  })
  .openapi("Problem");

const problem = (description: string) => ({ description, content: { "application/problem+json": { schema: ProblemSchema } } });

/** Standard error responses, by status. */
export const errors = {
  401: problem("Not logged in, or the session or token is invalid"),
  403: problem("Not allowed (role, token scope, or CSRF check)"),
  404: problem("No such resource (or not yours)"),
  409: problem("Conflicts with the current state, or quota exceeded"),
  422: problem("Request validation failed: every issue with its path"),
  429: problem("Too many attempts; see Retry-After"),
  502: problem("A provider returned an error"),
  503: problem("A provider is unavailable"),
} as const;

/** Picks standard error responses. */
export function errorResponses<K extends keyof typeof errors>(...codes: K[]): Pick<typeof errors, K> {
  const out = {} as Pick<typeof errors, K>;
  for (const code of codes) out[code] = errors[code];
  return out;
}

/** A JSON response. */
export function json<T extends z.ZodType>(schema: T, description: string) {
  return { description, content: { "application/json": { schema } } };
}

/** A page of items. */
export function pageOf<T extends z.ZodType>(item: T, name: string) {
  return z
    .object({
      items: z.array(item),
      total: z.number().int().describe("Number of items over all pages"),
      page: z.number().int(),
      pageSize: z.number().int(),
    })
    .openapi(name);
}

/** Paging query parameters. */
export const PageQuerySchema = z.object({
  page: z.coerce.number().int().min(1).max(1_000_000).optional().openapi({ param: { name: "page", in: "query" }, example: 1 }),
  pageSize: z.coerce.number().int().min(1).max(200).optional().openapi({ param: { name: "pageSize", in: "query" }, example: 20 }),
});

/** `{id}` path parameter. */
export const IdParamSchema = z.object({
  id: z.string().min(1).max(128).openapi({ param: { name: "id", in: "path" }, example: "3f1c…" }),
});

/** A JSON request body (required: a wrong content type fails validation). */
export function body<T extends z.ZodType>(schema: T, description?: string) {
  return { required: true, ...(description ? { description } : {}), content: { "application/json": { schema } } };
}

/** Query boolean: `true`/`false`/`1`/`0`. */
export const queryBoolean = z.enum(["true", "false", "1", "0"]).transform((v) => v === "true" || v === "1");
