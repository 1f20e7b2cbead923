/**
 * @module Authentication: a personal API token (`Authorization: Bearer`) or the session cookie
 * becomes the request's principal; `requireUser()` is what every route calls to authorise.
 */
import type { Context, MiddlewareHandler } from "hono";
import { getCookie } from "hono/cookie";
import { AppError, isAdmin, isAppError } from "@calipso/core";
import type { ApiTokenScope, Calipso, User } from "@calipso/core";
import type { AppEnv, Principal } from "../env.ts";
import type { ResolvedOptions } from "../options.ts";
import { clearSessionCookie, setSessionCookie } from "./session-cookie.ts";

/** Reads the bearer token or session cookie; an invalid cookie is cleared and ignored, an invalid bearer token is refused. */
export function authenticate(calipso: Calipso, options: ResolvedOptions): MiddlewareHandler<AppEnv> {
  return async (c, next) => {
    c.set("principal", undefined);
    const authorization = c.req.header("authorization");
    if (authorization !== undefined) {
      const match = /^Bearer\s+([A-Za-z0-9._~+/=-]{1,512})$/i.exec(authorization.trim());
      if (!match?.[1]) throw new AppError("UNAUTHENTICATED", { detail: "Authorization must be 'Bearer <token>'" });
      const { user, scopes } = await calipso.authenticateApiToken(match[1]);
      c.set("principal", { user, via: "token", scopes });
      return next();
    }
    const token = getCookie(c, options.cookieName);
    if (token) {
      try {
        const { user, expiresAt } = await calipso.authenticate(token);
        c.set("principal", { user, via: "session", scopes: sessionScopes(user), sessionToken: token, expiresAt });
        setSessionCookie(c, options, token, expiresAt);
      } catch (error) {
        if (!isAppError(error, "UNAUTHENTICATED")) throw error;
        clearSessionCookie(c, options);
      }
    }
    return next();
  };
}

/** A session may do everything its roles allow. */
function sessionScopes(user: User): ApiTokenScope[] {
  return isAdmin(user) ? ["read", "write", "admin"] : ["read", "write"];
}

/**
 * The authorisation gate of every route: returns the caller or throws `UNAUTHENTICATED` (nobody),
 * `FORBIDDEN` (token lacks the scope, or a non-admin on an admin route).
 * The scope defaults to `read` for safe methods and `write` otherwise.
 */
export function requireUser(c: Context<AppEnv>, need?: { scope?: ApiTokenScope; admin?: boolean; session?: boolean }): User {
  const principal: Principal | undefined = c.get("principal");
  if (!principal) throw new AppError("UNAUTHENTICATED", { detail: "Log in, or send a personal API token as 'Authorization: Bearer <token>'" });
  if (need?.session && principal.via !== "session") throw new AppError("FORBIDDEN", { detail: "This route needs a login session, not an API token" });
  if (need?.admin && !isAdmin(principal.user)) throw new AppError("FORBIDDEN", { detail: "Administrators only" });
  const scope = need?.scope ?? (need?.admin ? "admin" : c.req.method === "GET" || c.req.method === "HEAD" ? "read" : "write");
  if (!principal.scopes.includes(scope)) throw new AppError("FORBIDDEN", { detail: `This API token lacks the '${scope}' scope` });
  return principal.user;
}
