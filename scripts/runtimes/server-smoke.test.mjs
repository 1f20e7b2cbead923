/**
 * @module Smoke test of `createApp()` on every runtime (design rule 3: the REST app is web-standard).
 *
 * Runs the real `@calipso/server` app over `@calipso/core/testing`'s `createTestCalipso()` (memory store and fakes)
 * with `app.request()`, so no socket is needed: health, the OpenAPI document, a problem+json error, a password
 * login that sets the session cookie, and the session's `/auth/me`.
 */
import { createTestCalipso } from "@calipso/core/testing";
import { createApp } from "@calipso/server";
import { describe, expect, it } from "vitest";

const ORIGIN = "http://calipso.test";

async function setup() {
  const t = await createTestCalipso();
  const app = createApp(t.calipso, { cookie: { secure: false }, publicUrl: ORIGIN });
  return { t, app };
}

describe("server createApp on this runtime", () => {
  it("[runtimes/server-01] answers /healthz and serves an OpenAPI 3.1 document", async () => {
    const { app } = await setup();
    expect((await app.request(`${ORIGIN}/healthz`)).status).toBe(200);
    const doc = await app.request(`${ORIGIN}/api/openapi.json`);
    expect(doc.status).toBe(200);
    const body = await doc.json();
    expect(body.openapi).toMatch(/^3\.1\./);
    expect(Object.keys(body.paths)).toContain("/api/v1/auth/login");
  });

  it("[runtimes/server-02] refuses an anonymous caller with a 401 problem+json", async () => {
    const { app } = await setup();
    const res = await app.request(`${ORIGIN}/api/v1/auth/me`);
    expect(res.status).toBe(401);
    expect(res.headers.get("content-type")).toMatch(/^application\/problem\+json/);
    expect(await res.json()).toMatchObject({ status: 401, code: "UNAUTHENTICATED" });
  });

  it("[runtimes/server-03] logs in with a password, sets an HttpOnly cookie and knows the user", async () => {
    const { app } = await setup();
    const wrong = await app.request(`${ORIGIN}/api/v1/auth/login`, {
      method: "POST",
      headers: { "content-type": "application/json", origin: ORIGIN },
      body: JSON.stringify({ username: "alice", password: "nope" }),
    });
    expect(wrong.status).toBe(401);
    const res = await app.request(`${ORIGIN}/api/v1/auth/login`, {
      method: "POST",
      headers: { "content-type": "application/json", origin: ORIGIN },
      body: JSON.stringify({ username: "alice", password: "alice-pw" }),
    });
    expect(res.status).toBe(200);
    const setCookie = res.headers.get("set-cookie") ?? "";
    expect(setCookie).toMatch(/HttpOnly/i);
    const cookie = setCookie.split(";")[0];
    const me = await app.request(`${ORIGIN}/api/v1/auth/me`, { headers: { cookie } });
    expect(me.status).toBe(200);
    expect((await me.json()).user).toMatchObject({ username: "alice" });
  });
});
