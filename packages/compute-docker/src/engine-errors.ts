/** @module Turns dockerode / engine failures into catalogue `AppError`s that say what happened. */
import { AppError } from "@calipso/core";

/** Provider name used on every error of this package. */
export const PROVIDER = "docker";

const UNREACHABLE = new Set(["ECONNREFUSED", "ENOENT", "ECONNRESET", "EPIPE", "ETIMEDOUT", "EHOSTUNREACH", "ENETUNREACH", "EAI_AGAIN", "ENOTFOUND", "ECONNABORTED"]);

/** The shape of a dockerode error: an HTTP status and the engine's JSON body, or a socket error code. */
interface EngineFailure {
  readonly statusCode?: number;
  readonly code?: string;
  readonly json?: { readonly message?: string } | string | null;
  readonly message?: string;
}

/** The engine's HTTP status of a dockerode error, if any. */
export function statusOf(error: unknown): number | undefined {
  const s = (error as EngineFailure | null)?.statusCode;
  return typeof s === "number" ? s : undefined;
}

/** Whether the error means the engine could not be reached at all (socket gone, connection reset...). */
export function isUnreachable(error: unknown): boolean {
  if (AppError.is(error, "PROVIDER_UNAVAILABLE")) return true;
  const e = error as EngineFailure | null;
  if (e === null || typeof e !== "object") return false;
  if (typeof e.code === "string" && UNREACHABLE.has(e.code)) return true;
  return statusOf(error) === undefined && /socket hang up|connect E|read E|write E/i.test(e.message ?? "");
}

/** Whether the error is a failed TLS handshake with the engine (bad or missing certificates). */
export function isTlsFailure(error: unknown): boolean {
  const code = (error as EngineFailure | null)?.code;
  return typeof code === "string" && /^(ERR_SSL_|ERR_TLS_|CERT_|UNABLE_TO_|DEPTH_ZERO_|SELF_SIGNED_|ERR_OSSL_)/.test(code);
}

/** The engine's own message of a failed request (its JSON `message`), trimmed. */
export function engineMessage(error: unknown): string {
  const e = error as EngineFailure | null;
  const json = e?.json;
  const text = typeof json === "string" ? json : (json?.message ?? e?.message ?? String(error));
  return text.replace(/\s+/g, " ").trim().slice(0, 500);
}

/**
 * Maps a failed engine call to an `AppError`: unreachable engine → PROVIDER_UNAVAILABLE; 404 →
 * NOT_FOUND; anything else → PROVIDER_ERROR with the engine's message. `what` names the step.
 */
export function engineError(error: unknown, what: string, engine: string): AppError {
  if (AppError.is(error)) return error;
  if (isTlsFailure(error)) {
    return new AppError("PROVIDER_UNAVAILABLE", {
      detail: `${what}: the TLS handshake with the container engine at ${engine} failed (${(error as EngineFailure).code}); check tls.ca, tls.cert and tls.key`,
      provider: PROVIDER,
      cause: error,
    });
  }
  if (isUnreachable(error)) {
    const code = (error as EngineFailure).code;
    return new AppError("PROVIDER_UNAVAILABLE", {
      detail: `${what}: the container engine at ${engine} cannot be reached${code ? ` (${code})` : ""}`,
      provider: PROVIDER,
      cause: error,
    });
  }
  const status = statusOf(error);
  if (status === 404) return new AppError("NOT_FOUND", { detail: `${what}: ${engineMessage(error)}`, provider: PROVIDER, cause: error });
  return new AppError("PROVIDER_ERROR", {
    detail: `${what}: the engine answered ${status ?? "an error"}: ${engineMessage(error)}`,
    provider: PROVIDER,
    cause: error,
  });
}

/** Replaces every occurrence of `secret` in `text` (secrets never reach messages). */
export function redact(text: string, secret: string): string {
  return secret.length === 0 ? text : text.split(secret).join("***");
}
