/**
 * OpenID Connect login end to end THROUGH THE SERVER'S ROUTES: a real OpenID provider
 * (`oidc-provider` on 127.0.0.1), the `oidc` auth provider, and the reference server's
 * `/api/v1/auth/oidc/start|callback` driven with a cookie jar. Tampered state, a replayed code
 * and a callback without the browser's login transaction are refused.
 */
import { instantiate } from "@calipso/core";
import { createTestCalipso, testContext, testSecrets } from "@calipso/core/testing";
import type { TestCalipso } from "@calipso/core/testing";
import { oidcAuth } from "@calipso/auth-oidc";
import { createApp } from "@calipso/server";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { loginThroughProvider, oidcTestConfig, startOpenIdProvider, type TestOpenIdProvider } from "../../packages/auth-oidc/src/test-provider.ts";
import { cookieOf } from "./server-harness.ts";

const PUBLIC_URL = "http://127.0.0.1:9";
const CALLBACK = `${PUBLIC_URL}/api/v1/auth/oidc/callback`;

let op: TestOpenIdProvider;
let t: TestCalipso;
let app: ReturnType<typeof createApp>;

beforeAll(async () => {
  op = await startOpenIdProvider({ redirectUri: CALLBACK });
  const auth = await instantiate(oidcAuth, oidcTestConfig(op), testContext());
  t = await createTestCalipso({ deps: { auth } });
  app = createApp(t.calipso, { secrets: testSecrets, publicUrl: PUBLIC_URL, csrfKey: new Uint8Array(32).fill(3), afterLoginUrl: "/app/" });
}, 60_000);
afterAll(async () => {
  await t?.calipso.dispose();
  await op?.close();
});

/** GET /start: the provider's authorisation URL and the sealed login transaction cookie. */
async function start(): Promise<{ authorizationUrl: string; txCookie: string }> {
  const res = await app.request("/api/v1/auth/oidc/start");
  expect(res.status).toBe(302);
  const txCookie = cookieOf(res, "calipso_oidc");
  expect(txCookie).toBeDefined();
  expect(res.headers.getSetCookie().join()).toMatch(/calipso_oidc=[^;]+;.*HttpOnly/i);
  return { authorizationUrl: res.headers.get("location")!, txCookie: txCookie! };
}

const callback = (url: string, cookie?: string) =>
  app.request(new URL(url).pathname + new URL(url).search, cookie ? { headers: { cookie } } : {});

describe("[server/oidc] OpenID Connect login through the server's routes", () => {
  it("logs alice in: PKCE and state in the authorisation request, session cookie after the callback, admin from groups", async () => {
    const { authorizationUrl, txCookie } = await start();
    const auth = new URL(authorizationUrl);
    expect(auth.origin).toBe(op.issuer);
    expect(auth.searchParams.get("code_challenge_method")).toBe("S256");
    expect(auth.searchParams.get("state")).toBeTruthy();
    expect(auth.searchParams.get("nonce")).toBeTruthy();
    expect(auth.searchParams.get("redirect_uri")).toBe(CALLBACK);
    const back = await loginThroughProvider(authorizationUrl, CALLBACK, "alice");
    const res = await callback(back, txCookie);
    expect(res.status).toBe(302);
    expect(res.headers.get("location")).toBe("/app/");
    const session = cookieOf(res);
    expect(session).toMatch(/^calipso_session=[a-z0-9]{32}$/);
    const me = await app.request("/api/v1/auth/me", { headers: { cookie: session! } });
    expect(me.status).toBe(200);
    const body = (await me.json()) as { user: { username: string; roles: string[]; email?: string } };
    expect(body.user.username).toBe("alice");
    expect(body.user.roles).toContain("admin");
    expect(body.user.email).toBe("alice@example.org");
  }, 60_000);

  it("refuses a callback whose state was tampered with, and starts no session", async () => {
    const { authorizationUrl, txCookie } = await start();
    const back = new URL(await loginThroughProvider(authorizationUrl, CALLBACK, "bob"));
    back.searchParams.set("state", `${back.searchParams.get("state")}x`);
    const res = await callback(back.href, txCookie);
    expect(res.status).toBe(401);
    expect(res.headers.get("content-type")).toBe("application/problem+json");
    expect(cookieOf(res)).toBeUndefined();
  }, 60_000);

  it("refuses a replayed code even with the login transaction cookie copied", async () => {
    const { authorizationUrl, txCookie } = await start();
    const back = await loginThroughProvider(authorizationUrl, CALLBACK, "bob");
    expect((await callback(back, txCookie)).status).toBe(302);
    const replay = await callback(back, txCookie);
    expect(replay.status).toBe(401);
    expect(cookieOf(replay)).toBeUndefined();
  }, 60_000);

  it("refuses a callback from a browser that did not start the login (no or forged transaction cookie)", async () => {
    const { authorizationUrl } = await start();
    const back = await loginThroughProvider(authorizationUrl, CALLBACK, "bob");
    expect((await callback(back)).status).toBe(401);
    expect((await callback(back, "calipso_oidc=v1.forged.forged")).status).toBe(401);
  }, 60_000);
});
