import { instantiate } from "@calipso/core";
import type { ProviderContext } from "@calipso/core";
import { createTestContext } from "@calipso/sdk/testing";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { oidcAuth } from "./oidc.ts";
import type { OidcAuthProvider } from "./oidc.ts";
import { ACCOUNTS, loginThroughProvider, oidcTestConfig, startOpenIdProvider } from "./test-provider.ts";
import type { TestOpenIdProvider } from "./test-provider.ts";

let op: TestOpenIdProvider;
beforeAll(async () => {
  op = await startOpenIdProvider();
});
afterAll(() => op.close());

async function provider(overrides: Record<string, unknown> = {}, ctx: ProviderContext = createTestContext()) {
  const config = { ...oidcTestConfig(op), ...overrides };
  return { auth: (await instantiate(oidcAuth, config, ctx)) as OidcAuthProvider, ctx };
}

describe("oidc against a real OpenID provider (oidc-provider on loopback)", () => {
  it("[oidc/login-01] full login: authorisation URL with PKCE, state and nonce; callback gives the mapped identity", async () => {
    const { auth } = await provider();
    const { url, transaction } = await auth.redirect.start({ redirectUri: op.redirectUri });
    const params = new URL(url).searchParams;
    expect(params.get("code_challenge_method")).toBe("S256");
    expect(params.get("state")).toBeTruthy();
    expect(params.get("nonce")).toBeTruthy();
    expect(url).not.toContain(op.clientSecret);
    expect(transaction).not.toContain(params.get("state")!);
    const callbackUrl = await loginThroughProvider(url, op.redirectUri, "alice");
    const identity = await auth.redirect.callback({ callbackUrl, redirectUri: op.redirectUri, transaction });
    expect(identity).toEqual({ username: "alice", displayName: "Alice Liddell", email: "alice@example.org", roles: ["user", "admin"] });
  });

  it("[oidc/login-02] a user outside the admin groups is a plain user", async () => {
    const { auth } = await provider();
    const { url, transaction } = await auth.redirect.start({ redirectUri: op.redirectUri });
    const callbackUrl = await loginThroughProvider(url, op.redirectUri, "bob");
    expect(await auth.redirect.callback({ callbackUrl, redirectUri: op.redirectUri, transaction })).toMatchObject({ username: "bob", roles: ["user"] });
  });

  it("[oidc/state-01] a tampered state is refused", async () => {
    const { auth } = await provider();
    const { url, transaction } = await auth.redirect.start({ redirectUri: op.redirectUri });
    const callbackUrl = new URL(await loginThroughProvider(url, op.redirectUri, "alice"));
    callbackUrl.searchParams.set("state", `${callbackUrl.searchParams.get("state")}x`);
    const error = await auth.redirect.callback({ callbackUrl: callbackUrl.href, redirectUri: op.redirectUri, transaction }).then(() => undefined, (e: unknown) => e);
    expect(error).toMatchObject({ code: "UNAUTHENTICATED", cause: { code: "OAUTH_INVALID_RESPONSE" } });
    expect(String((error as { cause: { cause?: Error } }).cause.cause?.message)).toMatch(/state/i);
  });

  it("[oidc/state-02] another login's transaction (login CSRF) is refused", async () => {
    const { auth } = await provider();
    const a = await auth.redirect.start({ redirectUri: op.redirectUri });
    const b = await auth.redirect.start({ redirectUri: op.redirectUri });
    const callbackUrl = await loginThroughProvider(a.url, op.redirectUri, "alice");
    await expect(auth.redirect.callback({ callbackUrl, redirectUri: op.redirectUri, transaction: b.transaction })).rejects.toMatchObject({ code: "UNAUTHENTICATED" });
  });

  it("[oidc/code-01] a replayed code is refused", async () => {
    const { auth } = await provider();
    const { url, transaction } = await auth.redirect.start({ redirectUri: op.redirectUri });
    const callbackUrl = await loginThroughProvider(url, op.redirectUri, "alice");
    await auth.redirect.callback({ callbackUrl, redirectUri: op.redirectUri, transaction });
    await expect(auth.redirect.callback({ callbackUrl, redirectUri: op.redirectUri, transaction })).rejects.toMatchObject({
      code: "UNAUTHENTICATED",
      cause: { error: "invalid_grant" },
    });
  });

  it("[oidc/nonce-01] an ID token with another nonce is refused", async () => {
    const { auth, ctx } = await provider();
    const { url, transaction } = await auth.redirect.start({ redirectUri: op.redirectUri });
    const callbackUrl = await loginThroughProvider(url, op.redirectUri, "alice");
    const t = JSON.parse(await ctx.secrets.decrypt(transaction)) as Record<string, unknown>;
    const forged = await ctx.secrets.encrypt(JSON.stringify({ ...t, nonce: "a-different-nonce-0123456789" }));
    await expect(auth.redirect.callback({ callbackUrl, redirectUri: op.redirectUri, transaction: forged })).rejects.toMatchObject({
      code: "UNAUTHENTICATED",
      cause: { code: "OAUTH_JWT_CLAIM_COMPARISON_FAILED" },
    });
  });

  it("[oidc/expiry-01] an expired ID token is refused (the host clock is two hours ahead)", async () => {
    let skewMs = 0;
    const ctx = createTestContext({ now: () => new Date(Date.now() + skewMs) });
    const { auth } = await provider({ transactionTtlSec: 86_400 }, ctx);
    const { url, transaction } = await auth.redirect.start({ redirectUri: op.redirectUri });
    const callbackUrl = await loginThroughProvider(url, op.redirectUri, "alice");
    skewMs = 2 * 3600 * 1000;
    await expect(auth.redirect.callback({ callbackUrl, redirectUri: op.redirectUri, transaction })).rejects.toMatchObject({
      code: "UNAUTHENTICATED",
      cause: { code: "OAUTH_JWT_TIMESTAMP_CHECK_FAILED" },
    });
  });

  it("[oidc/txn-01] a transaction that is forged, expired or for another redirect URI is refused", async () => {
    let skewMs = 0;
    const ctx = createTestContext({ now: () => new Date(Date.now() + skewMs) });
    const { auth } = await provider({ transactionTtlSec: 60 }, ctx);
    const { transaction } = await auth.redirect.start({ redirectUri: op.redirectUri });
    const cb = `${op.redirectUri}?code=x&state=y`;
    await expect(auth.redirect.callback({ callbackUrl: cb, redirectUri: op.redirectUri, transaction: "v1.AAAA.BBBB" })).rejects.toMatchObject({ code: "UNAUTHENTICATED" });
    await expect(auth.redirect.callback({ callbackUrl: cb, redirectUri: "http://127.0.0.1:9/other", transaction })).rejects.toMatchObject({ code: "UNAUTHENTICATED" });
    skewMs = 61_000;
    await expect(auth.redirect.callback({ callbackUrl: cb, redirectUri: op.redirectUri, transaction })).rejects.toMatchObject({ code: "UNAUTHENTICATED" });
  });

  it("[oidc/error-01] an error from the provider (user aborted) is UNAUTHENTICATED", async () => {
    const { auth } = await provider();
    const { url, transaction } = await auth.redirect.start({ redirectUri: op.redirectUri });
    const state = new URL(url).searchParams.get("state")!;
    const cb = `${op.redirectUri}?error=access_denied&state=${state}&iss=${encodeURIComponent(op.issuer)}`;
    await expect(auth.redirect.callback({ callbackUrl: cb, redirectUri: op.redirectUri, transaction })).rejects.toMatchObject({ code: "UNAUTHENTICATED" });
  });

  it("[oidc/claims-01] an unusable username claim is refused", async () => {
    expect(ACCOUNTS["bad user"]).toBeDefined();
    const { auth } = await provider();
    const { url, transaction } = await auth.redirect.start({ redirectUri: op.redirectUri });
    const callbackUrl = await loginThroughProvider(url, op.redirectUri, "bad user");
    await expect(auth.redirect.callback({ callbackUrl, redirectUri: op.redirectUri, transaction })).rejects.toMatchObject({
      code: "UNAUTHENTICATED",
      detail: expect.stringContaining("username"),
    });
  });

  it("[oidc/refresh-01] refresh gives the current identity; a bogus refresh token is refused", async () => {
    const { auth } = await provider({ refresh: true });
    const { url, transaction } = await auth.redirect.start({ redirectUri: op.redirectUri });
    const callbackUrl = await loginThroughProvider(url, op.redirectUri, "bob");
    const { tokens } = await auth.redirect.callbackWithTokens({ callbackUrl, redirectUri: op.redirectUri, transaction });
    expect(tokens.refreshToken).toBeTruthy();
    expect((await auth.redirect.refresh(tokens.refreshToken!)).identity.username).toBe("bob");
    await expect(auth.redirect.refresh("not-a-refresh-token")).rejects.toMatchObject({ code: "UNAUTHENTICATED" });
  });

  it("[oidc/logout-01] RP-initiated logout URL from the provider's end_session_endpoint", async () => {
    const { auth } = await provider();
    const url = new URL((await auth.redirect.logoutUrl!({ postLogoutRedirectUri: "http://127.0.0.1:9/" }))!);
    expect(url.origin).toBe(op.issuer);
    expect(url.searchParams.get("client_id")).toBe(op.clientId);
    expect(url.searchParams.get("post_logout_redirect_uri")).toBe("http://127.0.0.1:9/");
  });

  it("[oidc/down-01] an unreachable provider gives PROVIDER_UNAVAILABLE, and discovery is retried later", async () => {
    const down = await startOpenIdProvider();
    await down.close();
    const ctx = createTestContext();
    const auth = await instantiate(oidcAuth, { issuer: down.issuer, clientId: "x", allowInsecureLoopback: true }, ctx);
    await expect(auth.redirect!.start({ redirectUri: op.redirectUri })).rejects.toMatchObject({ code: "PROVIDER_UNAVAILABLE" });
    await expect(auth.redirect!.start({ redirectUri: op.redirectUri })).rejects.toMatchObject({ code: "PROVIDER_UNAVAILABLE" });
  });

  it("[oidc/config-01] refuses an http issuer that is not loopback, or loopback without the flag", async () => {
    const ctx = createTestContext();
    await expect(instantiate(oidcAuth, { issuer: "http://id.example.org", clientId: "x", allowInsecureLoopback: true }, ctx)).rejects.toMatchObject({ code: "INVALID_CONFIG" });
    await expect(instantiate(oidcAuth, { issuer: op.issuer, clientId: "x" }, ctx)).rejects.toMatchObject({ code: "INVALID_CONFIG" });
  });
});

describe("oidc cancellation", () => {
  it("[oidc/abort-01] a host shutting down (ctx.signal aborted) cancels calls with PROVIDER_UNAVAILABLE", async () => {
    const op2 = await startOpenIdProvider();
    try {
      const controller = new AbortController();
      controller.abort();
      const auth = await instantiate(oidcAuth, { issuer: op2.issuer, clientId: op2.clientId, allowInsecureLoopback: true }, createTestContext({ signal: controller.signal }));
      await expect(auth.redirect!.start({ redirectUri: op2.redirectUri })).rejects.toMatchObject({ code: "PROVIDER_UNAVAILABLE" });
    } finally {
      await op2.close();
    }
  });
});
