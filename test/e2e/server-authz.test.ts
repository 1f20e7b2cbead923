/**
 * Authorisation matrix over the REST API: user B never sees or changes user A's instances,
 * favourites, quota or tokens; non-admins reach no admin route; an admin does. Each hole of the
 * seed system named in calipsoplus-inventory §8 (S2, S3, S4, S8) has its own test here.
 */
import { beforeEach, describe, expect, it } from "vitest";
import { createHarness, type Client, type Harness } from "./server-harness.ts";

let h: Harness;
let alice: Client;
let bob: Client;
let root: Client;
let instanceId: string;
let p1: string;
let aliceToken: { id: string; token: string };
let aliceId: string;

beforeEach(async () => {
  h = await createHarness();
  [alice, bob, root] = [await h.login("alice"), await h.login("bob"), await h.login("root")];
  p1 = await h.t.experimentId("P1");
  instanceId = (await alice.json("POST", "/api/v1/instances", { template: "desk", experimentId: p1 })).body.id;
  await h.t.calipso.idle();
  expect((await alice.req("PUT", `/api/v1/experiments/${p1}/favourite`)).status).toBe(204);
  const created = await alice.json("POST", "/api/v1/tokens", { name: "a", scopes: ["read"] });
  aliceToken = { id: created.body.record.id, token: created.body.token };
  aliceId = (await alice.json("GET", "/api/v1/auth/me")).body.user.id;
});

describe("[server/authz-S2] ownership: B never sees or changes A's instances", () => {
  const foreign: [string, string][] = [
    ["GET", "/api/v1/instances/{id}"],
    ["DELETE", "/api/v1/instances/{id}"],
    ["POST", "/api/v1/instances/{id}/access"],
    ["GET", "/api/v1/instances/{id}/events"],
  ];
  for (const [method, path] of foreign) {
    it(`${method} ${path} on A's instance is 404 for B, exactly as for an unknown id`, async () => {
      const mine = await bob.json(method, path.replace("{id}", instanceId));
      const unknown = await bob.json(method, path.replace("{id}", "00000000-0000-4000-8000-000000000000"));
      expect(mine.status).toBe(404);
      expect(unknown.status).toBe(404);
      expect({ ...mine.body, instance: undefined }).toEqual({ ...unknown.body, instance: undefined });
      expect((await alice.json("GET", `/api/v1/instances/${instanceId}`)).body.state).toBe("running");
    });
  }

  it("B's instance list and quota show nothing of A's", async () => {
    const list = await bob.json("GET", "/api/v1/instances");
    expect(list.body.items).toEqual([]);
    expect((await bob.json("GET", "/api/v1/quota")).body.usage.instances).toBe(0);
  });

  it("B cannot launch on A's experiment (its data would be mounted)", async () => {
    const r = await bob.json("POST", "/api/v1/instances", { template: "desk", experimentId: p1 });
    expect([403, 404]).toContain(r.status);
    expect((await h.t.store.instances.list({ owner: (await bob.json("GET", "/api/v1/auth/me")).body.user.id })).total).toBe(0);
  });

  it("B cannot favourite or unfavourite A's experiment, nor see it", async () => {
    expect((await bob.req("PUT", `/api/v1/experiments/${p1}/favourite`)).status).toBe(404);
    expect((await bob.req("DELETE", `/api/v1/experiments/${p1}/favourite`)).status).toBe(404);
    expect((await bob.json("GET", "/api/v1/experiments")).body.items.map((e: { id: string }) => e.id)).not.toContain(p1);
    expect((await alice.json("GET", "/api/v1/experiments?favourite=true")).body.items.map((e: { id: string }) => e.id)).toEqual([p1]);
  });

  it("B cannot list or revoke A's API tokens", async () => {
    expect((await bob.json("GET", "/api/v1/tokens")).body.items).toEqual([]);
    expect((await bob.req("DELETE", `/api/v1/tokens/${aliceToken.id}`)).status).toBe(404);
    expect((await h.app.request("/api/v1/auth/me", { headers: { authorization: `Bearer ${aliceToken.token}` } })).status).toBe(200);
  });

  it("an admin sees and may terminate A's instance", async () => {
    expect((await root.json("GET", `/api/v1/instances/${instanceId}`)).status).toBe(200);
    expect((await root.json("GET", "/api/v1/admin/instances")).body.items.map((i: { id: string }) => i.id)).toContain(instanceId);
    expect((await root.json("DELETE", `/api/v1/instances/${instanceId}`)).status).toBe(202);
    await h.t.calipso.idle();
  });
});

describe("[server/authz-S3] no credential in any instance representation", () => {
  it("launch, get, list, admin list and events never carry the desktop secret or provider handles", async () => {
    const stored = await h.t.store.instances.get(instanceId);
    expect(stored?.secret).toBeTruthy();
    const secret = await h.t.deps.secrets.decrypt(stored!.secret!);
    const bodies: string[] = [];
    const launched = await alice.req("POST", "/api/v1/instances", { template: "jupyter", experimentId: p1 });
    bodies.push(await launched.text());
    await h.t.calipso.idle();
    for (const [c, path] of [
      [alice, `/api/v1/instances/${instanceId}`],
      [alice, "/api/v1/instances"],
      [root, "/api/v1/admin/instances"],
      [root, `/api/v1/instances/${instanceId}`],
    ] as const) {
      bodies.push(await (await c.req("GET", path)).text());
    }
    await alice.req("DELETE", `/api/v1/instances/${instanceId}`);
    bodies.push(await (await alice.req("GET", `/api/v1/instances/${instanceId}/events`)).text());
    for (const b of bodies) {
      expect(b).not.toContain(secret);
      expect(b).not.toContain(stored!.secret!);
      expect(b).not.toMatch(/"(secret|compute|desktop|endpoint)"\s*:/);
    }
    await h.t.calipso.idle();
  });
});

describe("[server/authz-S4] admin routes refuse non-admins and change nothing", () => {
  const admin: [string, string, unknown?][] = [
    ["GET", "/api/v1/admin/users"],
    ["PUT", "/api/v1/admin/users/{self}/roles", { roles: ["user", "admin"] }],
    ["PUT", "/api/v1/admin/users/{self}/own-resources", { mayUseOwnResources: true }],
    ["GET", "/api/v1/admin/users/{alice}/quota"],
    ["PUT", "/api/v1/admin/users/{self}/quota", { instances: 100, cpu: 100, memoryMiB: 100000, storageGiB: 100 }],
    ["DELETE", "/api/v1/admin/users/{alice}/quota"],
    ["PUT", "/api/v1/admin/templates/desk", { title: "Evil", kind: "desktop", image: "evil:latest", resources: { cpu: 1, memoryMiB: 1 } }],
    ["DELETE", "/api/v1/admin/templates/desk"],
    ["GET", "/api/v1/admin/instances"],
    ["GET", "/api/v1/admin/audit"],
  ];
  for (const [method, path, body] of admin) {
    it(`${method} ${path} is 403 for a user, also with a read+write token`, async () => {
      const self = (await bob.json("GET", "/api/v1/auth/me")).body.user.id;
      const p = path.replace("{self}", self).replace("{alice}", aliceId);
      expect((await bob.json(method, p, body)).status).toBe(403);
      const token = (await bob.json("POST", "/api/v1/tokens", { name: "t", scopes: ["read", "write"] })).body.token;
      const headers: Record<string, string> = { authorization: `Bearer ${token}` };
      if (body) headers["content-type"] = "application/json";
      const viaToken = await h.app.request(p, { method, headers, ...(body ? { body: JSON.stringify(body) } : {}) });
      expect(viaToken.status).toBe(403);
      expect((await bob.json("GET", "/api/v1/auth/me")).body.user.roles).toEqual(["user"]);
      expect((await bob.json("GET", "/api/v1/quota")).body.overridden).toBe(false);
      const desk = (await bob.json("GET", "/api/v1/templates")).body.items.find((t: { name: string }) => t.name === "desk");
      expect(desk.title).toBe("Desktop");
    });
  }

  it("a user cannot ask for an admin-scoped token", async () => {
    const r = await bob.json("POST", "/api/v1/tokens", { name: "t", scopes: ["admin"] });
    expect(r.status).toBe(403);
  });

  it("an admin token without the admin scope cannot use admin routes; with it, it can", async () => {
    const plain = (await root.json("POST", "/api/v1/tokens", { name: "p", scopes: ["read", "write"] })).body.token;
    expect((await h.app.request("/api/v1/admin/users", { headers: { authorization: `Bearer ${plain}` } })).status).toBe(403);
    const scoped = (await root.json("POST", "/api/v1/tokens", { name: "a", scopes: ["read", "admin"] })).body.token;
    expect((await h.app.request("/api/v1/admin/users", { headers: { authorization: `Bearer ${scoped}` } })).status).toBe(200);
  });
});

describe("[server/authz-S8] no state change on GET", () => {
  async function state() {
    const s = h.t.store;
    const users = (await s.users.list({ page: 1, pageSize: 100 })).items;
    const out: Record<string, unknown> = {
      instances: (await s.instances.list({ page: 1, pageSize: 100 })).items.map((i) => [i.id, i.state]),
      audit: (await s.audit.list({ page: 1, pageSize: 1000 })).total,
      templates: (await s.templates.list()).map((t) => JSON.stringify(t)),
      users: users.map((u) => [u.username, u.roles]),
    };
    for (const u of users) {
      out[`quota:${u.username}`] = await s.quotas.get(u.id);
      out[`tokens:${u.username}`] = (await s.apiTokens.listForUser(u.id)).map((t) => t.id);
      out[`fav:${u.username}`] = (await s.experiments.listForUser(u.id, { page: 1, pageSize: 100, sort: "title", order: "asc", favouritesOnly: true })).items.map((e) => e.id);
    }
    return out;
  }

  it("every GET route of the OpenAPI document leaves instances, favourites, quotas, roles, tokens, templates and the audit log unchanged", async () => {
    const doc = (await (await h.app.request("/api/openapi.json")).json()) as { paths: Record<string, Record<string, unknown>> };
    await alice.req("DELETE", `/api/v1/instances/${instanceId}`); // a terminal instance: the events stream ends
    await h.t.calipso.idle();
    const before = await state();
    let gets = 0;
    for (const [path, ops] of Object.entries(doc.paths)) {
      if (!("get" in ops) || path.includes("oidc")) continue;
      const p = path.replace("{id}", path.includes("users") ? aliceId : instanceId);
      for (const c of [alice, root]) {
        const res = await c.req("GET", p);
        await res.text();
        gets++;
      }
    }
    expect(gets).toBeGreaterThanOrEqual(20);
    expect(await state()).toEqual(before);
  });

  it("state-changing operations are not reachable with GET", async () => {
    for (const path of ["/api/v1/auth/logout", "/api/v1/auth/login", `/api/v1/instances/${instanceId}/access`, `/api/v1/experiments/${p1}/favourite`]) {
      expect((await alice.req("GET", path)).status).toBe(404);
    }
    expect((await alice.json("GET", "/api/v1/auth/me")).status).toBe(200);
  });
});
