/** @module Maps openid-client failures to Calipso's error codes. */
import { AppError } from "@calipso/core";
import * as client from "openid-client";

function chain(error: unknown): unknown[] {
  const out: unknown[] = [];
  let e: unknown = error;
  for (let i = 0; i < 6 && e !== undefined && e !== null; i++) {
    out.push(e);
    e = typeof e === "object" ? (e as { cause?: unknown }).cause : undefined;
  }
  return out;
}

/**
 * Protocol failures (bad state, nonce, signature, expired token, replayed or forged code) are
 * `UNAUTHENTICATED`; an unreachable provider `PROVIDER_UNAVAILABLE`; a slow one `PROVIDER_TIMEOUT`;
 * a 5xx or malformed answer `PROVIDER_ERROR`.
 */
export function toOidcError(error: unknown, provider: string, call: string): AppError {
  if (AppError.is(error)) return error;
  const errors = chain(error);
  if (errors.some((e) => e instanceof Error && e.name === "TimeoutError")) {
    return new AppError("PROVIDER_TIMEOUT", { provider, detail: `The OpenID provider did not answer in time (${call})`, cause: error });
  }
  if (errors.some((e) => e instanceof Error && e.name === "AbortError")) {
    return new AppError("PROVIDER_UNAVAILABLE", { provider, detail: `The call to the OpenID provider was cancelled (${call})`, cause: error });
  }
  if (error instanceof client.ResponseBodyError) {
    if (error.status >= 500) return new AppError("PROVIDER_ERROR", { provider, detail: `The OpenID provider failed (${call}, HTTP ${error.status})`, cause: error });
    return new AppError("UNAUTHENTICATED", { provider, detail: `The OpenID provider refused the login (${error.error})`, cause: error });
  }
  if (error instanceof client.AuthorizationResponseError) {
    return new AppError("UNAUTHENTICATED", { provider, detail: `The OpenID provider returned an error (${error.error})`, cause: error });
  }
  if (error instanceof client.WWWAuthenticateChallengeError) {
    return new AppError("UNAUTHENTICATED", { provider, detail: "The OpenID provider refused the access token", cause: error });
  }
  if (error instanceof client.ClientError) {
    const code = (error as { code?: string }).code ?? "";
    if (code === "OAUTH_RESPONSE_IS_NOT_CONFORM" || code === "OAUTH_RESPONSE_IS_NOT_JSON" || code === "OAUTH_PARSE_ERROR") {
      return new AppError("PROVIDER_ERROR", { provider, detail: `The OpenID provider sent an unexpected response (${call})`, cause: error });
    }
    return new AppError("UNAUTHENTICATED", { provider, detail: "The login response did not pass validation; start the login again", cause: error });
  }
  if (error instanceof TypeError) {
    return new AppError("PROVIDER_UNAVAILABLE", { provider, detail: `The OpenID provider could not be reached (${call})`, cause: error });
  }
  return new AppError("PROVIDER_ERROR", { provider, detail: `The OpenID provider call failed (${call})`, cause: error });
}
