/** @module Driver errors → `AppError`s whose detail never contains SQL text, values or credentials. */
import { AppError } from "@calipso/core";
import type { FailureKind } from "./dialect.ts";

/**
 * Maps a thrown value to an `AppError`. An `AppError` passes through unchanged; driver errors
 * keep only their class (the original is the `cause`, for logs).
 */
export function toStoreError(error: unknown, kind: FailureKind, provider: string): AppError {
  if (AppError.is(error)) return error;
  switch (kind) {
    case "unavailable":
      return new AppError("PROVIDER_UNAVAILABLE", {
        provider,
        detail: "The database cannot be reached or dropped the connection; retry shortly",
        message: `store ${provider}: database unavailable`,
        cause: error,
      });
    case "refused":
      return new AppError("INVALID_CONFIG", {
        provider,
        detail: "The database refused the connection settings: check the user, password, database name and TLS options",
        message: `store ${provider}: connection settings refused`,
        cause: error,
      });
    case "retry":
      return new AppError("PROVIDER_UNAVAILABLE", {
        provider,
        detail: "The database is busy (lock wait or deadlock); retry shortly",
        message: `store ${provider}: lock contention`,
        cause: error,
      });
    case "duplicate":
      return new AppError("CONFLICT", { provider, detail: "A record with the same unique key already exists", cause: error });
    case "missing-reference":
      return new AppError("NOT_FOUND", { provider, detail: "A referenced record does not exist", cause: error });
    case "referenced":
      return new AppError("CONFLICT", { provider, detail: "The record is still referenced by other records", cause: error });
    default:
      return new AppError("PROVIDER_ERROR", {
        provider,
        detail: "The database rejected the operation",
        message: `store ${provider}: database error`,
        cause: error,
      });
  }
}
