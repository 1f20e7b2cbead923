/** @module Retry of a whole transaction after a deadlock or a lock-wait timeout (once by default). */
import type { SqlDialect } from "./dialect.ts";

/** The driver error behind a value (an `AppError` keeps it as `cause`). */
export function rootCause(error: unknown): unknown {
  let e = error;
  for (let i = 0; i < 5 && typeof e === "object" && e !== null && (e as { name?: unknown }).name === "AppError"; i++) {
    const cause = (e as { cause?: unknown }).cause;
    if (cause === undefined) break;
    e = cause;
  }
  return e;
}

/**
 * Runs `fn`; when it fails because the database chose it as a deadlock victim or a lock wait
 * timed out, runs it again (`retries` more times), then lets the error through.
 */
export async function withRetry<T>(dialect: SqlDialect, fn: () => Promise<T>, retries = 1): Promise<T> {
  for (let attempt = 0; ; attempt++) {
    try {
      return await fn();
    } catch (error) {
      if (attempt >= retries || dialect.classify(rootCause(error)) !== "retry") throw error;
    }
  }
}
