/** @module RFC 9457 problem responses: the one error handler, the validation hook, the 404. */
import type { Context } from "hono";
import { HTTPException } from "hono/http-exception";
import { AppError, isAppError, toProblem } from "@calipso/core";
import type { ErrorCode } from "@calipso/core";
import type { ZodError } from "zod";
import type { AppEnv } from "./env.ts";

export const PROBLEM_CONTENT_TYPE = "application/problem+json";

/** Renders an `AppError` (or anything) as a problem response. Unknown errors are hidden behind INTERNAL. */
export function problemResponse(c: Context<AppEnv>, error: unknown, typeBase: string): Response {
  const problem = toProblem(error, { typeBase, instance: c.req.path });
  const headers: Record<string, string> = { "content-type": PROBLEM_CONTENT_TYPE, "cache-control": "no-store" };
  const retryAfter = isAppError(error) ? error.meta?.["retryAfterSec"] : undefined;
  if (typeof retryAfter === "number") headers["retry-after"] = String(retryAfter);
  return new Response(JSON.stringify(problem), { status: problem.status, headers });
}

/** Maps Hono's own HTTP exceptions (malformed JSON, body too large…) to catalogue codes. */
export function fromHttpException(error: HTTPException): AppError {
  const code: ErrorCode =
    error.status === 401 ? "UNAUTHENTICATED" : error.status === 403 ? "FORBIDDEN" : error.status === 404 ? "NOT_FOUND" : error.status < 500 ? "VALIDATION_FAILED" : "INTERNAL";
  return new AppError(code, error.status < 500 ? { detail: error.message, cause: error } : { cause: error });
}

/** The issues of a zod error, each with its dotted path, for 422 responses. */
export function validationError(error: ZodError, target: string): AppError {
  const issues = error.issues.map((i) => ({ in: target, path: i.path.map(String).join("."), code: i.code, message: i.message }));
  const detail = issues.map((i) => `${i.in}${i.path ? `.${i.path}` : ""}: ${i.message}`).join("; ");
  return new AppError("VALIDATION_FAILED", { detail, meta: { issues } });
}

/** `defaultHook` of the OpenAPIHono app: validation failures become 422 problems. */
export function makeValidationHook(typeBase: string) {
  return (result: { success: boolean; error?: ZodError; target?: string }, c: Context<AppEnv>): Response | undefined => {
    if (result.success || !result.error) return undefined;
    return problemResponse(c, validationError(result.error, result.target ?? "request"), typeBase);
  };
}

/** Converts anything thrown into the `AppError` to render. */
export function normaliseError(error: unknown): unknown {
  if (error instanceof HTTPException) return fromHttpException(error);
  return error;
}
