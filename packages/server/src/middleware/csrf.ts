/**
 * @module CSRF defence for cookie-authenticated unsafe requests: an Origin / Sec-Fetch-Site check
 * plus a token header (`X-CSRF-Token`) that must equal HMAC-SHA256(key, session token).
 */
import type { MiddlewareHandler } from "hono";
import { hmac } from "@oslojs/crypto/hmac";
import { SHA256 } from "@oslojs/crypto/sha2";
import { constantTimeEqual } from "@oslojs/crypto/subtle";
import { encodeBase64urlNoPadding } from "@oslojs/encoding";
import { AppError } from "@calipso/core";
import type { AppEnv } from "../env.ts";

/** The header that carries the CSRF token. */
export const CSRF_HEADER = "x-csrf-token";

const SAFE = new Set(["GET", "HEAD", "OPTIONS"]);

/** Derives and checks CSRF tokens bound to a session. */
export interface CsrfTokens {
  /** The CSRF token of a session (returned by login and `me`). */
  token(sessionToken: string): string;
  /** Whether `candidate` is the CSRF token of the session (constant time). */
  verify(sessionToken: string, candidate: string | undefined): boolean;
}

/** Creates the CSRF token derivation from a key (≥ 32 bytes). */
export function createCsrfTokens(key: Uint8Array): CsrfTokens {
  if (key.length < 32) throw new AppError("INVALID_CONFIG", { detail: "The CSRF key must have at least 32 bytes" });
  const enc = new TextEncoder();
  const token = (sessionToken: string) => encodeBase64urlNoPadding(hmac(SHA256, key, enc.encode(`csrf:${sessionToken}`)));
  return {
    token,
    verify(sessionToken, candidate) {
      if (!candidate) return false;
      const expected = enc.encode(token(sessionToken));
      const given = enc.encode(candidate);
      return expected.length === given.length && constantTimeEqual(expected, given);
    },
  };
}

/**
 * Whether the request's Origin (or, without one, its Sec-Fetch-Site) allows a state change.
 * Requests without either header (scripts, curl) pass this check; the token check still applies to cookies.
 */
export function originAllowed(origin: string | undefined, fetchSite: string | undefined, allowed: ReadonlySet<string>): boolean {
  if (origin !== undefined) return origin !== "null" && allowed.has(origin);
  if (fetchSite !== undefined) return fetchSite === "same-origin" || fetchSite === "none";
  return true;
}

/**
 * Refuses unsafe requests from foreign origins (unless bearer-authenticated) and cookie-authenticated
 * unsafe requests without the right token header. Runs after authentication.
 */
export function csrfProtection(csrf: CsrfTokens, origins: { publicUrl?: string | undefined; allowed?: readonly string[] | undefined }): MiddlewareHandler<AppEnv> {
  const fixed = new Set<string>(origins.allowed ?? []);
  if (origins.publicUrl) fixed.add(new URL(origins.publicUrl).origin);
  return async (c, next) => {
    if (SAFE.has(c.req.method)) return next();
    const principal = c.get("principal");
    if (principal?.via === "token") return next();
    const allowed = fixed.size > 0 && origins.publicUrl ? fixed : new Set([...fixed, new URL(c.req.url).origin]);
    if (!originAllowed(c.req.header("origin"), c.req.header("sec-fetch-site"), allowed)) {
      throw new AppError("FORBIDDEN", { detail: "Cross-origin request refused (Origin / Sec-Fetch-Site)" });
    }
    if (principal?.via === "session" && principal.sessionToken !== undefined) {
      if (!csrf.verify(principal.sessionToken, c.req.header(CSRF_HEADER))) {
        throw new AppError("FORBIDDEN", { detail: `Missing or wrong ${CSRF_HEADER} header (get it from login or GET /api/v1/auth/me)` });
      }
    }
    return next();
  };
}
