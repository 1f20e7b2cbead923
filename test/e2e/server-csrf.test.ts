/**
 * CSRF defence and login rate limiting of the REST API: cookie-authenticated unsafe requests need
 * a same-origin Origin (or Sec-Fetch-Site) and the X-CSRF-Token header; bearer requests need
 * neither; failed logins are limited per account and per client address (429 with Retry-After).
 */
import { describe, expect, it } from "vitest";
import { createHarness, ORIGIN } from "./server-harness.ts";

const launch = JSON.stringify({ template: "desk" });

describe("[server/csrf] cookie-authenticated unsafe requests", () => {
  it("a POST with the cookie but without the token header is refused (403), and nothing is launched", async () => {
    const h = await createHarness();
    const c = await h.login("carol");
    const res = await h.app.request("/api/v1/instances", { method: "POST", headers: { cookie: c.cookie!, origin: ORIGIN, "content-type": "application/json" }, body: launch });
    expect(res.status).toBe(403);
    expect(((await res.json()) as { detail: string }).detail).toMatch(/x-csrf-token/i);
    expect(h.t.store.counts().instances).toBe(0);
  });

  it("a POST with a wrong token, or another session's token, is refused", async () => {
    const h = await createHarness();
    const carol = await h.login("carol");
    const alice = await h.login("alice");
    for (const token of ["x".repeat(43), alice.csrf!]) {
      const res = await h.app.request("/api/v1/instances", {
        method: "POST",
        headers: { cookie: carol.cookie!, origin: ORIGIN, "x-csrf-token": token, "content-type": "application/json" },
        body: launch,
      });
      expect(res.status).toBe(403);
    }
  });

  it("a POST from a foreign Origin is refused even with the right token", async () => {
    const h = await createHarness();
    const c = await h.login("carol");
    const res = await h.app.request("/api/v1/instances", {
      method: "POST",
      headers: { cookie: c.cookie!, origin: "https://evil.example", "x-csrf-token": c.csrf!, "content-type": "application/json" },
      body: launch,
    });
    expect(res.status).toBe(403);
    expect(((await res.json()) as { detail: string }).detail).toMatch(/cross-origin/i);
  });

  it("Sec-Fetch-Site: cross-site is refused when no Origin is sent", async () => {
    const h = await createHarness();
    const c = await h.login("carol");
    const res = await h.app.request("/api/v1/instances", {
      method: "POST",
      headers: { cookie: c.cookie!, "sec-fetch-site": "cross-site", "x-csrf-token": c.csrf!, "content-type": "application/json" },
      body: launch,
    });
    expect(res.status).toBe(403);
  });

  it("with the token header and a same-origin Origin, the POST is accepted", async () => {
    const h = await createHarness();
    const c = await h.login("carol");
    const res = await h.app.request("/api/v1/instances", {
      method: "POST",
      headers: { cookie: c.cookie!, origin: ORIGIN, "sec-fetch-site": "same-origin", "x-csrf-token": c.csrf!, "content-type": "application/json" },
      body: launch,
    });
    expect(res.status).toBe(202);
    await h.t.calipso.idle();
  });

  it("an allowed extra origin (configured) is accepted; the public URL's origin replaces the request's", async () => {
    const h = await createHarness({ app: { publicUrl: "https://calipso.example.org", allowedOrigins: ["https://portal.example.org"] } });
    const c = await h.login("carol").catch(() => undefined);
    expect(c).toBeUndefined(); // login from http://localhost is now a foreign origin
    const login = await h.app.request("/api/v1/auth/login", {
      method: "POST",
      headers: { origin: "https://portal.example.org", "content-type": "application/json" },
      body: JSON.stringify({ username: "carol", password: "carol-pw" }),
    });
    expect(login.status).toBe(200);
  });

  it("CORS answers only the configured origins, with credentials; others get no CORS headers", async () => {
    const h = await createHarness({ app: { allowedOrigins: ["https://portal.example.org"] } });
    const preflight = (origin: string) =>
      h.app.request("/api/v1/instances", { method: "OPTIONS", headers: { origin, "access-control-request-method": "POST", "access-control-request-headers": "x-csrf-token,content-type" } });
    const ok = await preflight("https://portal.example.org");
    expect(ok.headers.get("access-control-allow-origin")).toBe("https://portal.example.org");
    expect(ok.headers.get("access-control-allow-credentials")).toBe("true");
    expect(ok.headers.get("access-control-allow-headers")).toMatch(/x-csrf-token/);
    const evil = await preflight("https://evil.example");
    expect(evil.headers.get("access-control-allow-origin")).toBeNull();
    const plain = await createHarness();
    expect((await plain.app.request("/api/v1/auth/me", { headers: { origin: "https://portal.example.org" } })).headers.get("access-control-allow-origin")).toBeNull();
  });

  it("login itself is refused from a foreign origin (login CSRF)", async () => {
    const h = await createHarness();
    const res = await h.app.request("/api/v1/auth/login", {
      method: "POST",
      headers: { origin: "https://evil.example", "content-type": "application/json" },
      body: JSON.stringify({ username: "alice", password: "alice-pw" }),
    });
    expect(res.status).toBe(403);
  });

  it("the Secure flag can be switched off for plain-HTTP development only by configuration", async () => {
    const h = await createHarness({ app: { cookie: { secure: false } } });
    const res = await h.anonymous().req("POST", "/api/v1/auth/login", { username: "alice", password: "alice-pw" });
    expect(res.headers.getSetCookie().join()).not.toMatch(/Secure/);
  });
});

describe("[server/rate-limit] login attempts", () => {
  it("locks an account after the configured failed attempts: 429 RATE_LIMITED with Retry-After, even with the right password", async () => {
    const h = await createHarness({ app: { loginRateLimit: { perAccount: { max: 3, windowSec: 60 }, perAddress: { max: 100, windowSec: 60 } } } });
    const c = h.anonymous();
    for (let i = 0; i < 3; i++) expect((await c.req("POST", "/api/v1/auth/login", { username: "alice", password: "wrong" })).status).toBe(401);
    const locked = await c.json("POST", "/api/v1/auth/login", { username: "alice", password: "alice-pw" });
    expect(locked.status).toBe(429);
    expect(locked.body.code).toBe("RATE_LIMITED");
    expect(Number(locked.res.headers.get("retry-after"))).toBeGreaterThan(0);
    // another account is not affected
    expect((await c.req("POST", "/api/v1/auth/login", { username: "bob", password: "bob-pw" })).status).toBe(200);
  });

  it("limits failed attempts per client address across accounts", async () => {
    const h = await createHarness({
      app: { clientAddress: (c) => c.req.header("x-test-peer"), loginRateLimit: { perAccount: { max: 100, windowSec: 60 }, perAddress: { max: 2, windowSec: 60 } } },
    });
    const c = h.anonymous();
    const from = (peer: string) => ({ "x-test-peer": peer });
    expect((await c.req("POST", "/api/v1/auth/login", { username: "alice", password: "x" }, from("10.0.0.1"))).status).toBe(401);
    expect((await c.req("POST", "/api/v1/auth/login", { username: "bob", password: "x" }, from("10.0.0.1"))).status).toBe(401);
    expect((await c.req("POST", "/api/v1/auth/login", { username: "carol", password: "carol-pw" }, from("10.0.0.1"))).status).toBe(429);
    expect((await c.req("POST", "/api/v1/auth/login", { username: "carol", password: "carol-pw" }, from("10.0.0.2"))).status).toBe(200);
  });

  it("a successful login resets the account's counter", async () => {
    const h = await createHarness({ app: { loginRateLimit: { perAccount: { max: 2, windowSec: 60 }, perAddress: { max: 100, windowSec: 60 } } } });
    const c = h.anonymous();
    expect((await c.req("POST", "/api/v1/auth/login", { username: "alice", password: "x" })).status).toBe(401);
    expect((await c.req("POST", "/api/v1/auth/login", { username: "alice", password: "alice-pw" })).status).toBe(200);
    c.cookie = undefined; // a fresh browser: with a session cookie, a login needs the CSRF header like any POST
    expect((await c.req("POST", "/api/v1/auth/login", { username: "alice", password: "x" })).status).toBe(401);
    expect((await c.req("POST", "/api/v1/auth/login", { username: "alice", password: "alice-pw" })).status).toBe(200);
  });
});
