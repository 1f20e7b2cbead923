/** @module The session cookie: HttpOnly, Secure (configurable), SameSite=Lax, expiring with the session. */
import type { Context } from "hono";
import { deleteCookie, setCookie } from "hono/cookie";
import type { AppEnv } from "../env.ts";
import type { ResolvedOptions } from "../options.ts";

/** Sets (or slides) the session cookie. */
export function setSessionCookie(c: Context<AppEnv>, options: ResolvedOptions, token: string, expiresAt: Date): void {
  setCookie(c, options.cookieName, token, {
    httpOnly: true,
    secure: options.cookieSecure,
    sameSite: "Lax",
    path: options.cookiePath,
    expires: expiresAt,
  });
}

/** Removes the session cookie. */
export function clearSessionCookie(c: Context<AppEnv>, options: ResolvedOptions): void {
  deleteCookie(c, options.cookieName, { httpOnly: true, secure: options.cookieSecure, sameSite: "Lax", path: options.cookiePath });
}
