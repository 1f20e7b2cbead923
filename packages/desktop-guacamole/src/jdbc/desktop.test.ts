import type { RowDataPacket } from "mysql2/promise";
import { afterAll, beforeAll, describe, expect, it, vi } from "vitest";
import { AppError, instantiate } from "@calipso/core";
import type { DesktopRegistration, RemoteDesktop } from "@calipso/core";
import { testContext } from "@calipso/core/testing";
import { guacamoleDesktop } from "../provider.ts";
import { createJdbcDesktop } from "./desktop.ts";
import { JdbcConfigSchema } from "../config.ts";
import { createTestDatabase, guacamoleVerifies, startFakeGuacamoleApi } from "./test-support.ts";
import type { FakeGuacamoleApi, TestDatabase } from "./test-support.ts";

const db = await createTestDatabase();
if (typeof db === "string" && process.env.CALIPSO_REQUIRE_REAL === "1") throw new Error(`CALIPSO_REQUIRE_REAL=1: ${db}`);
const reason = typeof db === "string" ? db : "";

const reg = (instanceId: string, over: Partial<DesktopRegistration> = {}): DesktopRegistration => ({
  instanceId,
  owner: "ada",
  title: "Ada's desktop",
  endpoint: { host: "10.1.2.3", port: 5901, protocol: "vnc" },
  secret: "vncS3cret-long-enough",
  ...over,
});

describe.skipIf(typeof db === "string")(`jdbc mode on the real MariaDB${reason ? ` (skipped: ${reason})` : ""}`, () => {
  const t = db as TestDatabase;
  let api: FakeGuacamoleApi;
  let desktop: RemoteDesktop;
  const config = () => ({
    mode: "jdbc" as const,
    database: { user: "root", database: t.name },
    guacamoleUrl: "https://desk.example.org/guacamole",
    apiUrl: api.url,
    rdp: { security: "nla" as const, ignoreCert: true },
  });
  const count = async (sql: string, params: unknown[] = []) => Number(((await t.pool.query<RowDataPacket[]>(sql, params))[0][0] as RowDataPacket).n);
  const rowsOf = async (name: string) => ({
    connections: await count("SELECT COUNT(*) n FROM guacamole_connection WHERE connection_name IN (?, CONCAT(?, ' (read-only)'))", [name, name]),
    entities: await count("SELECT COUNT(*) n FROM guacamole_entity WHERE name IN (?, CONCAT(?, ' (read-only)'))", [name, name]),
    users: await count("SELECT COUNT(*) n FROM guacamole_user u JOIN guacamole_entity e USING (entity_id) WHERE e.name IN (?, CONCAT(?, ' (read-only)'))", [name, name]),
  });
  const totals = async () => ({
    connections: await count("SELECT COUNT(*) n FROM guacamole_connection"),
    entities: await count("SELECT COUNT(*) n FROM guacamole_entity"),
    users: await count("SELECT COUNT(*) n FROM guacamole_user"),
    parameters: await count("SELECT COUNT(*) n FROM guacamole_connection_parameter"),
    permissions: await count("SELECT COUNT(*) n FROM guacamole_connection_permission"),
  });

  beforeAll(async () => {
    api = await startFakeGuacamoleApi(t.pool);
    desktop = await instantiate(guacamoleDesktop, config(), testContext());
  });
  afterAll(async () => {
    await desktop?.dispose?.();
    await api?.close();
    await t.drop();
  });

  it("[jdbc-01] register writes connection, parameters, user and READ permission with Guacamole's password hash", async () => {
    const handle = await desktop.register(reg("i-01"));
    expect(handle).toMatchObject({ provider: "guacamole", id: "calipso-i-01" });
    const [[c]] = await t.pool.query<RowDataPacket[]>("SELECT * FROM guacamole_connection WHERE connection_name = 'calipso-i-01'");
    expect(c).toMatchObject({ protocol: "vnc", parent_id: null });
    const [params] = await t.pool.query<RowDataPacket[]>("SELECT parameter_name, parameter_value FROM guacamole_connection_parameter WHERE connection_id = ? ORDER BY parameter_name", [c!.connection_id]);
    expect(Object.fromEntries(params.map((p) => [p.parameter_name, p.parameter_value]))).toEqual({ hostname: "10.1.2.3", port: "5901", password: "vncS3cre" });
    const [[u]] = await t.pool.query<RowDataPacket[]>(
      "SELECT u.*, e.type FROM guacamole_user u JOIN guacamole_entity e USING (entity_id) WHERE e.name = 'calipso-i-01'",
    );
    expect(u!.type).toBe("USER");
    expect((u!.password_hash as Buffer).length).toBe(32);
    expect((u!.password_salt as Buffer).length).toBe(32);
    const [[perm]] = await t.pool.query<RowDataPacket[]>("SELECT * FROM guacamole_connection_permission WHERE entity_id = ?", [u!.entity_id]);
    expect(perm).toMatchObject({ connection_id: c!.connection_id, permission: "READ" });
    // The per-instance password is only in the handle, encrypted; recompute Guacamole's check with it.
    const password = await testContext().secrets.decrypt(String(handle.state.password));
    expect(guacamoleVerifies(password, u!.password_hash as Buffer, u!.password_salt as Buffer)).toBe(true);
    expect(guacamoleVerifies(`${password}x`, u!.password_hash as Buffer, u!.password_salt as Buffer)).toBe(false);
  });

  it("[jdbc-02] RDP connections carry security and ignore-cert", async () => {
    await desktop.register(reg("i-rdp", { endpoint: { host: "10.1.2.4", port: 3389, protocol: "rdp" } }));
    const [params] = await t.pool.query<RowDataPacket[]>(
      "SELECT parameter_name, parameter_value FROM guacamole_connection_parameter p JOIN guacamole_connection c USING (connection_id) WHERE c.connection_name = 'calipso-i-rdp'",
    );
    expect(Object.fromEntries(params.map((p) => [p.parameter_name, p.parameter_value]))).toEqual({
      hostname: "10.1.2.4",
      port: "3389",
      password: "vncS3cret-long-enough",
      security: "nla",
      "ignore-cert": "true",
    });
  });

  it("[jdbc-03] release deletes every row of the instance and is idempotent", async () => {
    const handle = await desktop.register(reg("i-03"));
    expect(await rowsOf("calipso-i-03")).toEqual({ connections: 2, entities: 2, users: 2 });
    await desktop.release(handle);
    await desktop.release(handle);
    expect(await rowsOf("calipso-i-03")).toEqual({ connections: 0, entities: 0, users: 0 });
    expect(await count("SELECT COUNT(*) n FROM guacamole_connection_parameter WHERE connection_id NOT IN (SELECT connection_id FROM guacamole_connection)")).toBe(0);
    expect(await count("SELECT COUNT(*) n FROM guacamole_connection_permission WHERE entity_id NOT IN (SELECT entity_id FROM guacamole_entity)")).toBe(0);
  });

  it("[jdbc-04] a failure between two inserts leaves nothing behind", async () => {
    const before = await totals();
    const failing = createJdbcDesktop(JdbcConfigSchema.parse(config()), testContext(), {
      pool: t.pool,
      afterInsert: (table) => {
        if (table === "guacamole_connection") throw new Error("boom between inserts");
      },
    });
    await expect(failing.register(reg("i-04"))).rejects.toSatisfy((e) => AppError.is(e, "PROVIDER_ERROR"));
    expect(await rowsOf("calipso-i-04")).toEqual({ connections: 0, entities: 0, users: 0 });
    expect(await totals()).toEqual(before);
  });

  it("[jdbc-05] 100 concurrent registers and releases leave a consistent database", async () => {
    const before = await totals();
    const ids = Array.from({ length: 100 }, (_, i) => `c-${i}`);
    const handles = await Promise.all(ids.map((id) => desktop.register(reg(id))));
    // Release half while registering the other half again (replacing their rows).
    await Promise.all([
      ...handles.slice(0, 50).map((h) => desktop.release(h)),
      ...ids.slice(50).map((id) => desktop.register(reg(id))),
    ]);
    const after = await totals();
    expect(after.connections - before.connections).toBe(100);
    expect(after.entities - before.entities).toBe(100);
    expect(after.users - before.users).toBe(100);
    expect(after.permissions - before.permissions).toBe(100);
    expect(after.parameters - before.parameters).toBe(50 * 3 + 50 * 4);
    expect(await count("SELECT COUNT(*) n FROM (SELECT connection_name FROM guacamole_connection GROUP BY connection_name HAVING COUNT(*) > 1) d")).toBe(0);
    await Promise.all(ids.slice(50).map((id) => desktop.release({ provider: "guacamole", id: `calipso-${id}`, state: {} })));
    expect(await totals()).toEqual(before);
  }, 60_000);

  it("[jdbc-06] access logs in server-side (fake of Guacamole's REST token endpoint) and the URL carries only the auth token", async () => {
    const handle = await desktop.register(reg("i-06"));
    const access = await desktop.access(handle, { username: "ada" });
    const login = api.logins.at(-1)!;
    expect(login).toMatchObject({ username: "calipso-i-06", ok: true, query: "" });
    const url = new URL(access.url);
    expect(url.origin + url.pathname).toBe("https://desk.example.org/guacamole/");
    const [route, query] = url.hash.split("?");
    const id = Buffer.from(route!.replace("#/client/", ""), "base64url").toString();
    expect(id).toBe(`${handle.state.connectionId}\0c\0mysql`);
    expect([...new URLSearchParams(query).keys()]).toEqual(["token"]);
    const password = await testContext().secrets.decrypt(String(handle.state.password));
    expect(access.url).not.toContain(password);
    expect(access.url).not.toContain(encodeURIComponent(password));
    expect(access.expiresAt.getTime()).toBeGreaterThan(Date.now());
  });

  it("[jdbc-07] read-only access logs in as the instance's viewer, whose connection has read-only=true", async () => {
    const handle = await desktop.register(reg("i-07"));
    await desktop.access(handle, { username: "bob", readOnly: true });
    expect(api.logins.at(-1)).toMatchObject({ username: "calipso-i-07 (read-only)", ok: true });
    const [params] = await t.pool.query<RowDataPacket[]>(
      "SELECT parameter_value FROM guacamole_connection_parameter p JOIN guacamole_connection c USING (connection_id) WHERE c.connection_name = 'calipso-i-07 (read-only)' AND p.parameter_name = 'read-only'",
    );
    expect(params[0]?.parameter_value).toBe("true");
  });

  it("[jdbc-08] list returns every registration with our prefix (orphans too) and release removes them", async () => {
    await t.pool.query("INSERT INTO guacamole_connection (connection_name, protocol) VALUES ('someone-else', 'vnc')");
    const orphan = await desktop.register(reg("orphan-1"));
    const listed = await desktop.list!();
    expect(listed.map((l) => l.instanceId)).toContain("orphan-1");
    expect(listed.map((l) => l.handle.id)).not.toContain("someone-else");
    expect(listed.every((l) => l.handle.id.startsWith("calipso-") && !l.handle.id.endsWith("(read-only)"))).toBe(true);
    const fromList = listed.find((l) => l.instanceId === "orphan-1")!;
    expect(JSON.stringify(fromList.handle)).not.toContain("password");
    await desktop.release(fromList.handle);
    expect(await rowsOf(orphan.id)).toEqual({ connections: 0, entities: 0, users: 0 });
    expect(await count("SELECT COUNT(*) n FROM guacamole_connection WHERE connection_name = 'someone-else'")).toBe(1);
  });

  it("[jdbc-09] lastActivity reads Guacamole's connection history: null, then the last end, then now while a session is open", async () => {
    const handle = await desktop.register(reg("i-09"));
    expect(await desktop.lastActivity!(handle)).toBeNull();
    const id = handle.state.connectionId;
    await t.pool.query(
      "INSERT INTO guacamole_connection_history (username, connection_id, connection_name, start_date, end_date) VALUES ('calipso-i-09', ?, 'calipso-i-09', '2026-01-01 10:00:00', '2026-01-01 11:00:00')",
      [id],
    );
    expect((await desktop.lastActivity!(handle))?.getTime()).toBe(new Date(2026, 0, 1, 11, 0, 0).getTime());
    await t.pool.query("INSERT INTO guacamole_connection_history (username, connection_id, connection_name, start_date) VALUES ('calipso-i-09', ?, 'calipso-i-09', NOW())", [id]);
    const open = await desktop.lastActivity!(handle);
    expect(open).toBeInstanceOf(Date);
    expect(open!.getTime()).toBeGreaterThan(new Date(2026, 0, 1, 11, 0, 0).getTime());
  });

  it("[S5] released desktops lose their credentials: access is NOT_FOUND and Guacamole refuses the old login", async () => {
    const h1 = await desktop.register(reg("s5-a"));
    const h2 = await desktop.register(reg("s5-b"));
    const p1 = await testContext().secrets.decrypt(String(h1.state.password));
    const p2 = await testContext().secrets.decrypt(String(h2.state.password));
    expect(p1).not.toBe(p2); // no constant password across desktops
    await desktop.release(h1);
    await expect(desktop.access(h1, { username: "ada" })).rejects.toSatisfy((e) => AppError.is(e, "NOT_FOUND"));
    const res = await fetch(`${api.url}/api/tokens`, { method: "POST", headers: { "content-type": "application/x-www-form-urlencoded" }, body: new URLSearchParams({ username: h1.id, password: p1 }) });
    expect(res.status).toBe(403);
    // Re-registering the same instance (e.g. a reused host port) issues fresh credentials.
    const again = await desktop.register(reg("s5-a"));
    expect(await testContext().secrets.decrypt(String(again.state.password))).not.toBe(p1);
  });

  it("[S6] no plaintext secret at rest or in URLs; salts are 32 fresh CSPRNG bytes", async () => {
    const random = vi.spyOn(Math, "random");
    const getRandom = vi.spyOn(crypto, "getRandomValues");
    const handle = await desktop.register(reg("s6"));
    expect(random).not.toHaveBeenCalled();
    expect(getRandom.mock.calls.some(([a]) => (a as Uint8Array).length === 32)).toBe(true);
    random.mockRestore();
    getRandom.mockRestore();
    const password = await testContext().secrets.decrypt(String(handle.state.password));
    expect(JSON.stringify(handle)).not.toContain(password);
    expect(String(handle.state.password)).toMatch(/^test\./); // went through ctx.secrets.encrypt
    const [users] = await t.pool.query<RowDataPacket[]>("SELECT password_hash, password_salt FROM guacamole_user");
    const dump = JSON.stringify(users.map((u) => [Buffer.from(u.password_hash).toString("latin1"), Buffer.from(u.password_salt).toString("latin1")]));
    expect(dump).not.toContain(password);
    const salts = new Set(users.map((u) => Buffer.from(u.password_salt).toString("hex")));
    expect(salts.size).toBe(users.length);
    const access = await desktop.access(handle, { username: "ada" });
    expect(access.url).not.toContain(password);
  });
});
