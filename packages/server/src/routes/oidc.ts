/** @module OpenID Connect login: start (redirect to the provider) and callback (session cookie, redirect home). */
import { createRoute, z } from "@hono/zod-openapi";
import type { Context } from "hono";
import { deleteCookie, getCookie, setCookie } from "hono/cookie";
import { AppError } from "@calipso/core";
import type { RouteDeps } from "../deps.ts";
import type { AppEnv } from "../env.ts";
import { errorResponses } from "../schemas/common.ts";
import { startSession } from "./auth.ts";

const TX_COOKIE = "calipso_oidc";

const start = createRoute({
  method: "get",
  path: "/api/v1/auth/oidc/start",
  tags: ["auth"],
  summary: "Start an OpenID Connect login (redirects to the identity provider)",
  responses: { 302: { description: "Redirect to the identity provider" }, ...errorResponses(403, 503) },
});

const callback = createRoute({
  method: "get",
  path: "/api/v1/auth/oidc/callback",
  tags: ["auth"],
  summary: "OpenID Connect redirect target: finishes the login and redirects to the application",
  request: {
    query: z.object({
      code: z.string().max(4096).optional(),
      state: z.string().max(1024).optional(),
      error: z.string().max(256).optional(),
      error_description: z.string().max(4096).optional(),
      iss: z.string().max(2048).optional(),
      session_state: z.string().max(1024).optional(),
    }),
  },
  responses: { 302: { description: "Logged in; redirect to the application" }, ...errorResponses(401, 422, 503) },
});

/** The external URL of a path of this app (the public URL when configured). */
function externalUrl(d: RouteDeps, c: Context<AppEnv>, path: string, search = ""): string {
  const base = d.options.publicUrl ? new URL(d.options.publicUrl).origin : new URL(c.req.url).origin;
  return `${base}${path}${search}`;
}

export function oidcRoutes(d: RouteDeps): void {
  const secrets = () => {
    if (!d.options.secrets) throw new AppError("UNSUPPORTED", { detail: "OpenID Connect login needs the server's secret key" });
    return d.options.secrets;
  };

  d.app.openapi(start, async (c) => {
    const redirectUri = externalUrl(d, c, c.req.path.replace(/\/start$/, "/callback"));
    const { url, transaction } = await d.calipso.startRedirectLogin({ redirectUri });
    setCookie(c, TX_COOKIE, await secrets().encrypt(transaction), {
      httpOnly: true,
      secure: d.options.cookieSecure,
      sameSite: "Lax",
      path: d.options.cookiePath,
      maxAge: 600,
    });
    return c.redirect(url, 302);
  });

  d.app.openapi(callback, async (c) => {
    const sealed = getCookie(c, TX_COOKIE);
    if (!sealed) throw new AppError("UNAUTHENTICATED", { detail: "No login in progress in this browser; start again" });
    deleteCookie(c, TX_COOKIE, { path: d.options.cookiePath, secure: d.options.cookieSecure, httpOnly: true, sameSite: "Lax" });
    let transaction: string;
    try {
      transaction = await secrets().decrypt(sealed);
    } catch (cause) {
      throw new AppError("UNAUTHENTICATED", { detail: "The login transaction is invalid; start again", cause });
    }
    const url = new URL(c.req.url);
    const redirectUri = externalUrl(d, c, c.req.path);
    const result = await d.calipso.finishRedirectLogin({ callbackUrl: externalUrl(d, c, url.pathname, url.search), redirectUri, transaction });
    await startSession(d, c, result);
    return c.redirect(d.options.afterLoginUrl ?? "/", 302);
  });
}
