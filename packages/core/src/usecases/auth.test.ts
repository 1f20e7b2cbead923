import { describe, expect, it } from "vitest";
import { AppError } from "../errors.ts";
import type { ErrorCode } from "../errors.ts";
import { createTestCalipso } from "../testing/fixture.ts";
import { hashToken } from "../tokens.ts";

const is = (code: ErrorCode) => (e: unknown) => AppError.is(e, code);
const HOUR = 3_600_000;

describe("login and sessions", () => {
  it("logs in with a password, stores only the token's hash and authenticates with the token", async () => {
    const t = await createTestCalipso();
    const result = await t.calipso.login({ method: "password", username: "alice", password: "alice-pw" });
    expect(result.token).toMatch(/^[a-z2-7]{32}$/);
    expect(result.user).toMatchObject({ username: "alice", displayName: "Alice", roles: ["user"], mayUseOwnResources: false });
    expect(result.expiresAt).toEqual(new Date(t.clock.now().getTime() + 8 * HOUR));
    expect(await t.store.sessions.get(result.token)).toBeNull();
    expect(await t.store.sessions.get(hashToken(result.token))).toMatchObject({ userId: result.user.id });
    expect((await t.calipso.authenticate(result.token)).user.id).toBe(result.user.id);
  });

  it("refuses wrong passwords and unknown users with UNAUTHENTICATED and audits the failure", async () => {
    const t = await createTestCalipso();
    await expect(t.calipso.login({ method: "password", username: "alice", password: "nope" })).rejects.toSatisfy(is("UNAUTHENTICATED"));
    await expect(t.calipso.login({ method: "password", username: "mallory", password: "x" })).rejects.toSatisfy(is("UNAUTHENTICATED"));
    expect(t.store.counts().sessions).toBe(0);
    expect(t.store.counts().users).toBe(0);
    const audit = await t.store.audit.list({ page: 1, pageSize: 10, actor: "anonymous" });
    expect(audit.items.map((e) => [e.action, e.outcome])).toEqual([
      ["user.login", "failure"],
      ["user.login", "failure"],
    ]);
    expect(JSON.stringify(audit.items)).not.toContain("nope");
  });

  it("validates login requests at the boundary", async () => {
    const t = await createTestCalipso();
    for (const bad of [null, {}, { method: "password", username: "../etc", password: "x" }, { method: "password", username: "alice", password: "" }, { method: "magic" }]) {
      await expect(t.calipso.login(bad as never)).rejects.toSatisfy(is("VALIDATION_FAILED"));
    }
  });

  it("slides the expiry on use and refuses an expired session", async () => {
    const t = await createTestCalipso({ deps: { sessions: { ttlSec: 3600 } } });
    const { token, expiresAt } = await t.calipso.login({ method: "password", username: "alice", password: "alice-pw" });
    t.clock.advance(50 * 60_000);
    const slid = await t.calipso.authenticate(token);
    expect(slid.expiresAt.getTime()).toBeGreaterThan(expiresAt.getTime());
    expect(slid.expiresAt).toEqual(new Date(t.clock.now().getTime() + HOUR));
    t.clock.advance(50 * 60_000);
    await expect(t.calipso.authenticate(token)).resolves.toBeTruthy();
    t.clock.advance(HOUR + 1);
    await expect(t.calipso.authenticate(token)).rejects.toSatisfy(is("UNAUTHENTICATED"));
    expect(await t.store.sessions.get(hashToken(token))).toBeNull();
  });

  it("revokes the session at logout", async () => {
    const t = await createTestCalipso();
    const { token, user } = await t.calipso.login({ method: "password", username: "alice", password: "alice-pw" });
    await t.calipso.logout(token);
    await t.calipso.logout(token);
    await expect(t.calipso.authenticate(token)).rejects.toSatisfy(is("UNAUTHENTICATED"));
    const audit = await t.store.audit.list({ page: 1, pageSize: 10, actor: user.id });
    expect(audit.items.map((e) => e.action)).toEqual(["user.logout", "user.login"]);
  });

  it("refuses unknown, malformed and absurd tokens", async () => {
    const t = await createTestCalipso();
    for (const token of ["", "x", "a".repeat(32), "a".repeat(10_000), undefined as never]) {
      await expect(t.calipso.authenticate(token)).rejects.toSatisfy(is("UNAUTHENTICATED"));
    }
  });

  it("logs in federated users and redirect users", async () => {
    const t = await createTestCalipso();
    const fed = await t.calipso.login({ method: "federated", attributes: { uid: "bob" } });
    expect(fed.user.username).toBe("bob");
    await expect(t.calipso.login({ method: "federated", attributes: { uid: "mallory" } })).rejects.toSatisfy(is("UNAUTHENTICATED"));
    const start = await t.calipso.startRedirectLogin({ redirectUri: "https://calipso.invalid/cb" });
    const state = new URL(start.url).searchParams.get("state");
    const done = await t.calipso.finishRedirectLogin({
      callbackUrl: `https://calipso.invalid/cb?code=carol&state=${state}`,
      redirectUri: "https://calipso.invalid/cb",
      transaction: start.transaction,
    });
    expect(done.user.username).toBe("carol");
    await expect(
      t.calipso.finishRedirectLogin({ callbackUrl: "https://calipso.invalid/cb?code=carol&state=forged", redirectUri: "https://calipso.invalid/cb", transaction: start.transaction }),
    ).rejects.toSatisfy(is("UNAUTHENTICATED"));
  });

  it("keeps admin roles from the identity hint and never freezes the own-resources grant from a login", async () => {
    const t = await createTestCalipso();
    expect((await t.login("root")).roles).toEqual(["user", "admin"]);
    expect((await t.login("carol")).mayUseOwnResources).toBe(false);
  });
});

describe("personal API tokens", () => {
  it("creates a prefixed token, stores only its hash and authenticates it with its scopes", async () => {
    const t = await createTestCalipso();
    const alice = await t.login("alice");
    const { token, record } = await t.calipso.createApiToken(alice, { name: "script", scopes: ["read"] });
    expect(token).toMatch(/^cal_[a-z2-7]{32}$/);
    expect(record).not.toHaveProperty("tokenHash");
    expect(await t.store.apiTokens.getByHash(hashToken(token))).toMatchObject({ id: record.id });
    const auth = await t.calipso.authenticateApiToken(token);
    expect(auth.user.id).toBe(alice.id);
    expect(auth.scopes).toEqual(["read"]);
    expect((await t.calipso.listApiTokens(alice)).map((x) => x.name)).toEqual(["script"]);
    // A session token is not an API token, nor the other way round.
    await expect(t.calipso.authenticate(token)).rejects.toSatisfy(is("UNAUTHENTICATED"));
    await expect(t.calipso.authenticateApiToken(token.slice(4))).rejects.toSatisfy(is("UNAUTHENTICATED"));
  });

  it("refuses the admin scope for non-admins and drops it when the user is no longer admin", async () => {
    const t = await createTestCalipso();
    const [alice, root] = [await t.login("alice"), await t.login("root")];
    await expect(t.calipso.createApiToken(alice, { name: "x", scopes: ["admin"] })).rejects.toSatisfy(is("FORBIDDEN"));
    const { token } = await t.calipso.createApiToken(root, { name: "ops", scopes: ["read", "admin"] });
    await t.store.users.update(root.id, { roles: ["user"] });
    expect((await t.calipso.authenticateApiToken(token)).scopes).toEqual(["read"]);
  });

  it("revokes tokens; another user's token is NOT_FOUND", async () => {
    const t = await createTestCalipso();
    const [alice, bob] = [await t.login("alice"), await t.login("bob")];
    const { token, record } = await t.calipso.createApiToken(alice, { name: "x", scopes: ["read", "write"] });
    await expect(t.calipso.revokeApiToken(bob, record.id)).rejects.toSatisfy(is("NOT_FOUND"));
    await t.calipso.revokeApiToken(alice, record.id);
    await expect(t.calipso.authenticateApiToken(token)).rejects.toSatisfy(is("UNAUTHENTICATED"));
    await expect(t.calipso.revokeApiToken(alice, record.id)).rejects.toSatisfy(is("NOT_FOUND"));
  });

  it("expires tokens and validates their input", async () => {
    const t = await createTestCalipso();
    const alice = await t.login("alice");
    const { token } = await t.calipso.createApiToken(alice, { name: "short", scopes: ["read"], expiresAt: new Date(t.clock.now().getTime() + HOUR) });
    t.clock.advance(HOUR);
    await expect(t.calipso.authenticateApiToken(token)).rejects.toSatisfy(is("UNAUTHENTICATED"));
    await expect(t.calipso.createApiToken(alice, { name: "", scopes: ["read"] })).rejects.toSatisfy(is("VALIDATION_FAILED"));
    await expect(t.calipso.createApiToken(alice, { name: "x", scopes: [] })).rejects.toSatisfy(is("VALIDATION_FAILED"));
    await expect(t.calipso.createApiToken(alice, { name: "x", scopes: ["root" as never] })).rejects.toSatisfy(is("VALIDATION_FAILED"));
    await expect(t.calipso.createApiToken(alice, { name: "x", scopes: ["read"], expiresAt: new Date(0) })).rejects.toSatisfy(is("VALIDATION_FAILED"));
  });
});
