/**
 * End-to-end tests of every route of the REST API through `app.request` (no port), over core's
 * test Calipso (memory store, fake providers): happy paths and the 401/403/404/409/422 answers.
 */
import { Hono } from "hono";
import { beforeEach, describe, expect, it } from "vitest";
import { createHarness, type Harness } from "./server-harness.ts";

let h: Harness;
beforeEach(async () => {
  h = await createHarness({ calipso: { quota: { instances: 2 } } });
});

describe("[server/auth] login, me, logout", () => {
  it("logs in with a password: session cookie HttpOnly, Secure, SameSite=Lax; me returns the user and CSRF token", async () => {
    const c = h.anonymous();
    const r = await c.json("POST", "/api/v1/auth/login", { username: "alice", password: "alice-pw" });
    expect(r.status).toBe(200);
    expect(r.body.user.username).toBe("alice");
    expect(r.body.csrfToken).toMatch(/^[A-Za-z0-9_-]{40,}$/);
    const setCookie = r.res.headers.getSetCookie().join("\n");
    expect(setCookie).toMatch(/calipso_session=[a-z0-9]{32}/);
    expect(setCookie).toMatch(/HttpOnly/);
    expect(setCookie).toMatch(/Secure/);
    expect(setCookie).toMatch(/SameSite=Lax/);
    const me = await c.json("GET", "/api/v1/auth/me");
    expect(me.status).toBe(200);
    expect(me.body).toMatchObject({ user: { username: "alice" }, via: "session", csrfToken: r.body.csrfToken });
    expect(me.res.headers.getSetCookie().join()).toMatch(/calipso_session=/); // sliding expiry refreshes the cookie
  });

  it("refuses a wrong password with a 401 problem (no session cookie)", async () => {
    const r = await h.anonymous().json("POST", "/api/v1/auth/login", { username: "alice", password: "nope" });
    expect(r.status).toBe(401);
    expect(r.res.headers.get("content-type")).toBe("application/problem+json");
    expect(r.body).toMatchObject({ status: 401, code: "UNAUTHENTICATED", type: "https://calipso.dev/docs/errors#unauthenticated" });
    expect(r.res.headers.getSetCookie().join()).not.toMatch(/calipso_session=[a-z0-9]/);
  });

  it("answers 422 with every issue's path for an invalid body, and for malformed JSON", async () => {
    const r = await h.anonymous().json("POST", "/api/v1/auth/login", { username: "", extra: 1 });
    expect(r.status).toBe(422);
    const paths = r.body.issues.map((i: { path: string }) => i.path).sort();
    expect(paths).toEqual(expect.arrayContaining(["username", "password"]));
    expect(r.body.code).toBe("VALIDATION_FAILED");
    const bad = await h.app.request("/api/v1/auth/login", { method: "POST", headers: { "content-type": "application/json" }, body: "{not json" });
    expect(bad.status).toBe(422);
    expect(bad.headers.get("content-type")).toBe("application/problem+json");
  });

  it("logout revokes the session: the old cookie no longer works", async () => {
    const c = await h.login("alice");
    const cookie = c.cookie;
    expect((await c.req("POST", "/api/v1/auth/logout")).status).toBe(204);
    const again = await h.app.request("/api/v1/auth/me", { headers: { cookie: cookie! } });
    expect(again.status).toBe(401);
  });

  it("me without a session is 401", async () => {
    expect((await h.anonymous().req("GET", "/api/v1/auth/me")).status).toBe(401);
  });

  it("federated login is refused (403) unless the peer is a trusted proxy", async () => {
    const r = await h.anonymous().json("POST", "/api/v1/auth/federated", undefined, { uid: "alice" });
    expect(r.status).toBe(403);
    const trusted = await createHarness({ app: { fromTrustedProxy: () => true, federatedHeaders: ["uid"] } });
    const ok = await trusted.anonymous().json("POST", "/api/v1/auth/federated", undefined, { uid: "bob" });
    expect(ok.status).toBe(200);
    expect(ok.body.user.username).toBe("bob");
  });

  it("OIDC start redirects to the provider and the callback logs in and redirects home", async () => {
    const k = await createHarness({ app: { secrets: h.t.deps.secrets } });
    const start = await k.app.request("/api/v1/auth/oidc/start");
    expect(start.status).toBe(302);
    const location = start.headers.get("location")!;
    expect(location).toMatch(/^https:\/\/idp\.fake\.invalid/);
    const tx = start.headers.getSetCookie().find((l) => l.startsWith("calipso_oidc="))!.split(";")[0]!;
    const state = new URL(location).searchParams.get("state") ?? "";
    const cb = await k.app.request(`/api/v1/auth/oidc/callback?code=alice&state=${encodeURIComponent(state)}`, { headers: { cookie: tx } });
    expect(cb.status).toBe(302);
    expect(cb.headers.get("location")).toBe("/");
    expect(cb.headers.getSetCookie().join()).toMatch(/calipso_session=[a-z0-9]{32}/);
    const noTx = await k.app.request("/api/v1/auth/oidc/callback?code=alice&state=x");
    expect(noTx.status).toBe(401);
  });
});

describe("[server/experiments] listing and favourites", () => {
  it("lists the caller's experiments with search, sort, paging and the favourite filter", async () => {
    const c = await h.login("alice");
    const all = await c.json("GET", "/api/v1/experiments");
    expect(all.status).toBe(200);
    expect(all.body.items.map((e: { proposalId: string }) => e.proposalId).sort()).toEqual(["P1", "P3"]);
    const search = await c.json("GET", "/api/v1/experiments?page=1&search=protein");
    expect(search.body.items.map((e: { proposalId: string }) => e.proposalId)).toEqual(["P1"]);
    const sorted = await c.json("GET", "/api/v1/experiments?sort=title&order=asc&pageSize=1");
    expect(sorted.body).toMatchObject({ total: 2, page: 1, pageSize: 1 });
    expect(sorted.body.items[0].title).toBe("Alice's proteins");
    const p1 = all.body.items.find((e: { proposalId: string }) => e.proposalId === "P1");
    expect((await c.req("PUT", `/api/v1/experiments/${p1.id}/favourite`)).status).toBe(204);
    const favs = await c.json("GET", "/api/v1/experiments?favourite=true");
    expect(favs.body.items.map((e: { proposalId: string; favourite: boolean }) => [e.proposalId, e.favourite])).toEqual([["P1", true]]);
    expect((await c.req("DELETE", `/api/v1/experiments/${p1.id}/favourite`)).status).toBe(204);
    expect((await c.json("GET", "/api/v1/experiments?favourite=1")).body.items).toEqual([]);
  });

  it("422 for bad query values, naming the parameter", async () => {
    const c = await h.login("alice");
    const r = await c.json("GET", "/api/v1/experiments?pageSize=0&sort=colour");
    expect(r.status).toBe(422);
    expect(r.body.issues.map((i: { path: string }) => i.path).sort()).toEqual(["pageSize", "sort"]);
  });

  it("404 for a favourite on an unknown experiment", async () => {
    const c = await h.login("alice");
    expect((await c.req("PUT", "/api/v1/experiments/nope/favourite")).status).toBe(404);
  });
});

describe("[server/instances] launch, inspect, events, access, terminate", () => {
  it("launches (202 + Location), lists, gets, opens and terminates an instance", async () => {
    const c = await h.login("alice");
    const experimentId = await h.t.experimentId("P1");
    const launch = await c.json("POST", "/api/v1/instances", { template: "desk", experimentId, sessionId: "s1" });
    expect(launch.status).toBe(202);
    expect(launch.res.headers.get("location")).toBe(`/api/v1/instances/${launch.body.id}`);
    expect(launch.body).toMatchObject({ template: "desk", experimentId, state: "pending" });
    await h.t.calipso.idle();
    const got = await c.json("GET", `/api/v1/instances/${launch.body.id}`);
    expect(got.status).toBe(200);
    expect(got.body.state).toBe("running");
    const list = await c.json("GET", "/api/v1/instances?state=running");
    expect(list.body.items.map((i: { id: string }) => i.id)).toEqual([launch.body.id]);
    const access = await c.json("POST", `/api/v1/instances/${launch.body.id}/access`);
    expect(access.status).toBe(200);
    expect(access.body.url).toMatch(/^https:\/\/desktop\.fake\.invalid/);
    expect(Date.parse(access.body.expiresAt)).toBeGreaterThan(0);
    const del = await c.json("DELETE", `/api/v1/instances/${launch.body.id}`);
    expect(del.status).toBe(202);
    expect(del.body.state).toBe("terminating");
    await h.t.calipso.idle();
    const after = await c.json("DELETE", `/api/v1/instances/${launch.body.id}`);
    expect([200, 409]).toContain(after.status);
    expect((await c.json("GET", `/api/v1/instances/${launch.body.id}`)).body.state).toBe("terminated");
  });

  it("streams state events as SSE: current state first, then live ones until terminal", async () => {
    const c = await h.login("alice");
    const launch = await c.json("POST", "/api/v1/instances", { template: "desk", experimentId: await h.t.experimentId("P1") });
    await h.t.calipso.idle();
    const res = await c.req("GET", `/api/v1/instances/${launch.body.id}/events`);
    expect(res.status).toBe(200);
    expect(res.headers.get("content-type")).toMatch(/^text\/event-stream/);
    const reader = res.body!.getReader();
    const decoder = new TextDecoder();
    let text = "";
    while (!text.includes("\n\n")) text += decoder.decode((await reader.read()).value);
    expect(text).toMatch(/event: state\ndata: \{.*"state":"running"/);
    await c.req("DELETE", `/api/v1/instances/${launch.body.id}`);
    for (;;) {
      const { value, done } = await reader.read();
      if (done) break;
      text += decoder.decode(value);
    }
    expect(text).toMatch(/"state":"terminated"/);
  });

  it("404 for an unknown template, 422 for a bad body, 409 when the quota is exhausted", async () => {
    const c = await h.login("carol"); // may use own resources
    expect((await c.json("POST", "/api/v1/instances", { template: "nope" })).status).toBe(404);
    const bad = await c.json("POST", "/api/v1/instances", { template: 5, extra: true });
    expect(bad.status).toBe(422);
    expect(bad.body.issues.map((i: { path: string }) => i.path)).toEqual(expect.arrayContaining(["template"]));
    expect((await c.json("POST", "/api/v1/instances", { template: "desk" })).status).toBe(202);
    expect((await c.json("POST", "/api/v1/instances", { template: "desk" })).status).toBe(202);
    const over = await c.json("POST", "/api/v1/instances", { template: "desk" });
    expect(over.status).toBe(409);
    expect(over.body.code).toBe("QUOTA_EXCEEDED");
    await h.t.calipso.idle();
  });

  it("events and access of an unknown instance are 404 before any stream opens", async () => {
    const c = await h.login("alice");
    expect((await c.req("GET", "/api/v1/instances/unknown/events")).status).toBe(404);
    expect((await c.req("POST", "/api/v1/instances/unknown/access")).status).toBe(404);
    expect((await c.req("DELETE", "/api/v1/instances/unknown")).status).toBe(404);
  });
});

describe("[server/quota-templates] quota and templates", () => {
  it("reports the caller's quota and usage", async () => {
    const c = await h.login("alice");
    await c.json("POST", "/api/v1/instances", { template: "desk", experimentId: await h.t.experimentId("P1") });
    const q = await c.json("GET", "/api/v1/quota");
    expect(q.status).toBe(200);
    expect(q.body).toMatchObject({ limits: { instances: 2 }, usage: { instances: 1, cpu: 1, memoryMiB: 1024 }, overridden: false });
    await h.t.calipso.idle();
  });

  it("lists templates without internals (image, env, secret delivery)", async () => {
    const c = await h.login("alice");
    const r = await c.json("GET", "/api/v1/templates");
    expect(r.status).toBe(200);
    expect(r.body.items.map((t: { name: string }) => t.name).sort()).toEqual(["desk", "docs", "jupyter"]);
    for (const t of r.body.items) for (const k of ["image", "env", "secret", "command", "capabilities", "allowRoot"]) expect(t).not.toHaveProperty(k);
  });
});

describe("[server/tokens] personal API tokens", () => {
  it("creates a token (shown once), authenticates with it, enforces scopes, revokes it", async () => {
    const c = await h.login("alice");
    const created = await c.json("POST", "/api/v1/tokens", { name: "script", scopes: ["read"] });
    expect(created.status).toBe(201);
    const token = created.body.token as string;
    expect(token.length).toBeGreaterThanOrEqual(32);
    const list = await c.json("GET", "/api/v1/tokens");
    expect(list.body.items).toHaveLength(1);
    expect(JSON.stringify(list.body)).not.toContain(token);
    const bearer = { authorization: `Bearer ${token}` };
    expect((await h.app.request("/api/v1/instances", { headers: bearer })).status).toBe(200);
    // read scope: no launches; bearer requests need no CSRF header, so the 403 is the scope's
    const post = await h.app.request("/api/v1/instances", { method: "POST", headers: { ...bearer, "content-type": "application/json" }, body: JSON.stringify({ template: "desk" }) });
    expect(post.status).toBe(403);
    expect(((await post.json()) as { detail: string }).detail).toMatch(/write/);
    // token management needs the session
    expect((await h.app.request("/api/v1/tokens", { headers: bearer })).status).toBe(403);
    expect((await c.req("DELETE", `/api/v1/tokens/${created.body.record.id}`)).status).toBe(204);
    expect((await h.app.request("/api/v1/instances", { headers: bearer })).status).toBe(401);
    expect((await c.req("DELETE", `/api/v1/tokens/${created.body.record.id}`)).status).toBe(404);
  });

  it("a write token launches without a CSRF header; a malformed Authorization header is 401", async () => {
    const c = await h.login("carol");
    const token = (await c.json("POST", "/api/v1/tokens", { name: "w", scopes: ["read", "write"] })).body.token;
    const res = await h.app.request("/api/v1/instances", {
      method: "POST",
      headers: { authorization: `Bearer ${token}`, "content-type": "application/json" },
      body: JSON.stringify({ template: "desk" }),
    });
    expect(res.status).toBe(202);
    expect((await h.app.request("/api/v1/instances", { headers: { authorization: "Basic abc" } })).status).toBe(401);
    await h.t.calipso.idle();
  });

  it("422 for a token without scopes", async () => {
    const c = await h.login("alice");
    expect((await c.json("POST", "/api/v1/tokens", { name: "x", scopes: [] })).status).toBe(422);
  });
});

describe("[server/admin] administration", () => {
  it("lists users, sets roles, overrides and clears quotas", async () => {
    const root = await h.login("root");
    const alice = await h.login("alice");
    const users = await root.json("GET", "/api/v1/admin/users?search=ali");
    expect(users.status).toBe(200);
    const aliceId = users.body.items.find((u: { username: string }) => u.username === "alice").id;
    const roles = await root.json("PUT", `/api/v1/admin/users/${aliceId}/roles`, { roles: ["admin"] });
    expect(roles.status).toBe(200);
    expect(roles.body.roles.sort()).toEqual(["admin", "user"]);
    expect((await root.json("PUT", `/api/v1/admin/users/${aliceId}/roles`, { roles: ["user"] })).body.roles).toEqual(["user"]);
    const put = await root.json("PUT", `/api/v1/admin/users/${aliceId}/quota`, { instances: 5, cpu: 8, memoryMiB: 4096, storageGiB: 10 });
    expect(put.status).toBe(200);
    expect(put.body).toMatchObject({ limits: { instances: 5 }, overridden: true });
    expect((await alice.json("GET", "/api/v1/quota")).body.limits.instances).toBe(5);
    expect((await root.json("GET", `/api/v1/admin/users/${aliceId}/quota`)).body.overridden).toBe(true);
    const del = await root.json("DELETE", `/api/v1/admin/users/${aliceId}/quota`);
    expect(del.body).toMatchObject({ overridden: false, limits: { instances: 2 } });
    expect((await root.json("PUT", `/api/v1/admin/users/${aliceId}/quota`, { instances: -1 })).status).toBe(422);
    expect((await root.json("GET", "/api/v1/admin/users/unknown/quota")).status).toBe(404);
    expect((await root.json("PUT", "/api/v1/admin/users/unknown/roles", { roles: ["user"] })).status).toBe(404);
  });

  it("grants and withdraws launching without an experiment", async () => {
    const root = await h.login("root");
    await h.login("bob"); // users exist from their first login
    const users = await root.json("GET", "/api/v1/admin/users?search=bob");
    const bobId = users.body.items.find((u: { username: string }) => u.username === "bob").id;
    const on = await root.json("PUT", `/api/v1/admin/users/${bobId}/own-resources`, { mayUseOwnResources: true });
    expect(on.status).toBe(200);
    expect(on.body).toMatchObject({ username: "bob", mayUseOwnResources: true });
    const off = await root.json("PUT", `/api/v1/admin/users/${bobId}/own-resources`, { mayUseOwnResources: false });
    expect(off.body.mayUseOwnResources).toBe(false);
    expect((await root.json("PUT", `/api/v1/admin/users/${bobId}/own-resources`, { mayUseOwnResources: "yes" })).status).toBe(422);
    expect((await root.json("PUT", "/api/v1/admin/users/unknown/own-resources", { mayUseOwnResources: true })).status).toBe(404);
  });

  it("creates, replaces and deletes templates", async () => {
    const root = await h.login("root");
    const body = { title: "Terminal", kind: "desktop", image: "term:1", resources: { cpu: 0.5, memoryMiB: 256 } };
    const put = await root.json("PUT", "/api/v1/admin/templates/term", body);
    expect(put.status).toBe(200);
    expect(put.body).toMatchObject({ name: "term", title: "Terminal", backend: "default" });
    const alice = await h.login("alice");
    expect((await alice.json("GET", "/api/v1/templates")).body.items.map((t: { name: string }) => t.name)).toContain("term");
    expect((await root.req("DELETE", "/api/v1/admin/templates/term")).status).toBe(204);
    expect((await root.req("DELETE", "/api/v1/admin/templates/term")).status).toBe(404);
    expect((await root.json("PUT", "/api/v1/admin/templates/Bad_Name", body)).status).toBe(422);
    expect((await root.json("PUT", "/api/v1/admin/templates/term", { ...body, resources: { cpu: -1 } })).status).toBe(422);
  });

  it("lists every instance and the audit log", async () => {
    const root = await h.login("root");
    const alice = await h.login("alice");
    const launched = await alice.json("POST", "/api/v1/instances", { template: "desk", experimentId: await h.t.experimentId("P1") });
    await h.t.calipso.idle();
    const all = await root.json("GET", "/api/v1/admin/instances");
    expect(all.status).toBe(200);
    expect(all.body.items.map((i: { id: string }) => i.id)).toContain(launched.body.id);
    const audit = await root.json("GET", `/api/v1/admin/audit?target=${encodeURIComponent(`instance:${launched.body.id}`)}`);
    expect(audit.status).toBe(200);
    expect(audit.body.items.map((a: { action: string }) => a.action)).toContain("instance.launch");
  });
});

describe("[server/ops] health, readiness, docs, unknown routes", () => {
  it("/healthz and /readyz answer 200; /readyz is 503 when a probe fails", async () => {
    expect((await h.app.request("/healthz")).status).toBe(200);
    expect((await h.app.request("/readyz")).status).toBe(200);
    const down = await createHarness({ app: { ready: async () => Promise.reject(new Error("db gone")) } });
    const r = await down.app.request("/readyz");
    expect(r.status).toBe(503);
    expect(await r.text()).not.toContain("db gone");
  });

  it("serves the docs UI and its assets from this server, with a self-only CSP", async () => {
    const page = await h.app.request("/api/docs");
    expect(page.status).toBe(200);
    expect(page.headers.get("content-security-policy")).toMatch(/default-src 'self'/);
    const html = await page.text();
    expect(html).not.toMatch(/https?:\/\//);
    for (const asset of ["swagger-ui.css", "swagger-ui-bundle.js", "init.js"]) expect((await h.app.request(`/api/docs/${asset}`)).status).toBe(200);
    expect((await h.app.request("/api/docs/package.json")).status).toBe(404);
  });

  it("unknown routes are 404 problems; every response carries a request id", async () => {
    const r = await h.app.request("/api/v1/nothing-here", { headers: { "x-request-id": "abc-123" } });
    expect(r.status).toBe(404);
    expect(r.headers.get("content-type")).toBe("application/problem+json");
    expect(r.headers.get("x-request-id")).toBe("abc-123");
    expect((await h.app.request("/healthz")).headers.get("x-request-id")).toMatch(/^[0-9a-f-]{36}$/);
  });

  it("an unexpected error is a 500 problem without its message or stack", async () => {
    const k = await createHarness();
    const calipso = k.t.calipso;
    (calipso as { quota: unknown }).quota = async () => {
      throw new Error("secret-db-password leaked in a message");
    };
    const c = await k.login("alice");
    const r = await c.json("GET", "/api/v1/quota");
    expect(r.status).toBe(500);
    expect(JSON.stringify(r.body)).not.toMatch(/secret-db-password|at .*\.ts/);
    expect(r.body.code).toBe("INTERNAL");
  });
});

describe("[server/embed] mounted under a path of someone else's Hono app", () => {
  it("serves the API, the docs and its errors under the mount path", async () => {
    const parent = new Hono();
    parent.get("/", (c) => c.text("the facility portal"));
    parent.route("/calipso", h.app);
    const login = await parent.request("/calipso/api/v1/auth/login", {
      method: "POST",
      headers: { "content-type": "application/json", origin: "http://localhost" },
      body: JSON.stringify({ username: "alice", password: "alice-pw" }),
    });
    expect(login.status).toBe(200);
    const cookie = login.headers.getSetCookie()[0]!.split(";")[0]!;
    const { csrfToken } = (await login.json()) as { csrfToken: string };
    expect((await parent.request("/calipso/api/v1/experiments", { headers: { cookie } })).status).toBe(200);
    const launch = await parent.request("/calipso/api/v1/instances", {
      method: "POST",
      headers: { cookie, origin: "http://localhost", "x-csrf-token": csrfToken, "content-type": "application/json" },
      body: JSON.stringify({ template: "desk", experimentId: await h.t.experimentId("P1") }),
    });
    expect(launch.status).toBe(202);
    expect(launch.headers.get("location")).toMatch(/^\/calipso\/api\/v1\/instances\//);
    expect((await parent.request("/calipso/api/docs")).status).toBe(200);
    expect((await parent.request("/calipso/api/docs/swagger-ui.css")).status).toBe(200);
    const missing = await parent.request("/calipso/api/v1/instances/nope");
    expect(missing.headers.get("content-type")).toBe("application/problem+json");
    expect(await (await parent.request("/")).text()).toBe("the facility portal");
    await h.t.calipso.idle();
  });
});
