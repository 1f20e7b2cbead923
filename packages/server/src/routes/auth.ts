/** @module Password and federated login, logout, and "who am I". */
import { createRoute, z } from "@hono/zod-openapi";
import type { Context } from "hono";
import { getCookie } from "hono/cookie";
import { AppError, isAppError } from "@calipso/core";
import type { LoginRequest, LoginResult } from "@calipso/core";
import type { RouteDeps } from "../deps.ts";
import type { AppEnv } from "../env.ts";
import { requireUser } from "../middleware/authenticate.ts";
import { clearSessionCookie, setSessionCookie } from "../middleware/session-cookie.ts";
import { body, errorResponses, json } from "../schemas/common.ts";
import { SessionView } from "../schemas/views.ts";
import { userView } from "../views.ts";

const LoginBody = z
  .object({
    username: z.string().min(1).max(128).openapi({ example: "alice" }),
    password: z.string().min(1).max(1024).openapi({ example: "…" }),
  })
  .strict()
  .openapi("LoginRequest");

const login = createRoute({
  method: "post",
  path: "/api/v1/auth/login",
  tags: ["auth"],
  summary: "Log in with a username and password",
  description: "Sets the HttpOnly session cookie and returns the CSRF token to send as X-CSRF-Token. Failed attempts are rate limited per account and per client address.",
  request: { body: body(LoginBody) },
  responses: { 200: json(SessionView, "Logged in"), ...errorResponses(401, 403, 422, 429, 503) },
});

const federated = createRoute({
  method: "post",
  path: "/api/v1/auth/federated",
  tags: ["auth"],
  summary: "Log in with attributes set by a trusted federated-login proxy",
  description: "Only accepted from the configured trusted proxy addresses; attributes come from the configured request headers.",
  responses: { 200: json(SessionView, "Logged in"), ...errorResponses(401, 403, 429, 503) },
});

const logout = createRoute({
  method: "post",
  path: "/api/v1/auth/logout",
  tags: ["auth"],
  summary: "Log out: revokes the session",
  responses: { 204: { description: "Logged out" }, ...errorResponses(401, 403) },
});

const me = createRoute({
  method: "get",
  path: "/api/v1/auth/me",
  tags: ["auth"],
  summary: "The caller, and the CSRF token of the session",
  responses: { 200: json(SessionView, "The caller"), ...errorResponses(401) },
});

/** Runs a login under the rate limits: refused while blocked, failures counted, success resets the account. */
export async function rateLimitedLogin(d: RouteDeps, c: Context<AppEnv>, username: string | undefined, request: LoginRequest): Promise<LoginResult> {
  const now = Date.now();
  const accountKey = username !== undefined ? `login:user:${username.toLowerCase()}` : undefined;
  const addressKey = `login:addr:${c.get("clientAddress") ?? "unknown"}`;
  const wait = Math.max(
    accountKey ? await d.limiter.retryAfter(accountKey, d.options.perAccount, now) : 0,
    await d.limiter.retryAfter(addressKey, d.options.perAddress, now),
  );
  if (wait > 0) throw new AppError("RATE_LIMITED", { detail: `Too many failed logins; try again in ${wait} s`, meta: { retryAfterSec: wait } });
  try {
    const result = await d.calipso.login(request, { signal: c.req.raw.signal });
    if (accountKey) await d.limiter.reset(accountKey);
    return result;
  } catch (error) {
    if (isAppError(error, "UNAUTHENTICATED")) {
      if (accountKey) await d.limiter.hit(accountKey, d.options.perAccount, now);
      await d.limiter.hit(addressKey, d.options.perAddress, now);
    }
    throw error;
  }
}

/** Starts the session in the browser: revokes any previous one, sets the cookie, returns the session view. */
export async function startSession(d: RouteDeps, c: Context<AppEnv>, result: LoginResult) {
  const previous = getCookie(c, d.options.cookieName);
  if (previous && previous !== result.token) await d.calipso.logout(previous).catch(() => undefined);
  setSessionCookie(c, d.options, result.token, result.expiresAt);
  return { user: userView(result.user), csrfToken: d.csrf.token(result.token), expiresAt: result.expiresAt.toISOString(), via: "session" as const };
}

export function authRoutes(d: RouteDeps): void {
  d.app.openapi(login, async (c) => {
    const { username, password } = c.req.valid("json");
    const result = await rateLimitedLogin(d, c, username, { method: "password", username, password });
    return c.json(await startSession(d, c, result), 200);
  });

  d.app.openapi(federated, async (c) => {
    // The federated provider checks the peer that sent the attributes (the SP proxy), not the end user.
    const address = d.options.peerAddress?.(c);
    if (!d.options.fromTrustedProxy?.(c)) {
      throw new AppError("FORBIDDEN", { detail: "Federated login is only accepted from the configured trusted proxies" });
    }
    const attributes: Record<string, string> = {};
    for (const name of d.options.federatedHeaders ?? []) {
      const value = c.req.header(name);
      if (value !== undefined) attributes[name.toLowerCase()] = value;
    }
    const request: LoginRequest = address !== undefined ? { method: "federated", attributes, remoteAddress: address } : { method: "federated", attributes };
    const result = await rateLimitedLogin(d, c, undefined, request);
    return c.json(await startSession(d, c, result), 200);
  });

  d.app.openapi(logout, async (c) => {
    requireUser(c, { scope: "read" });
    const principal = c.get("principal");
    if (principal?.sessionToken) await d.calipso.logout(principal.sessionToken);
    clearSessionCookie(c, d.options);
    return c.body(null, 204);
  });

  d.app.openapi(me, async (c) => {
    const user = requireUser(c);
    const p = c.get("principal")!;
    const view = {
      user: userView(user),
      via: p.via,
      ...(p.sessionToken ? { csrfToken: d.csrf.token(p.sessionToken) } : {}),
      ...(p.expiresAt ? { expiresAt: p.expiresAt.toISOString() } : {}),
    };
    return c.json(view, 200);
  });
}
