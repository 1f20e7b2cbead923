/**
 * @module Faults on a real MariaDB: connections killed mid-request and mid-transaction, the server
 * going away and coming back (through a TCP proxy, so the shared MariaDB itself is never restarted).
 */
import { createServer, connect } from "node:net";
import type { Server, Socket } from "node:net";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { AppError } from "@calipso/core";
import type { RowDataPacket } from "mysql2";
import { createSqlStore } from "./store.ts";
import type { SqlStore } from "./store.ts";
import { LIMITS, instanceFor, user } from "./testing/fixtures.ts";
import { MARIADB, adminConnection, createTestDatabase, mariadbGate, testSecrets } from "./testing/databases.ts";

const gate = await mariadbGate();

async function failure(p: Promise<unknown>): Promise<AppError> {
  const e = await p.then(
    () => undefined,
    (error: unknown) => error,
  );
  expect(AppError.is(e), `expected an AppError, got ${String(e)}`).toBe(true);
  const err = e as AppError;
  // Never SQL text, values or driver messages in what a client may see.
  expect(err.detail ?? "").not.toMatch(/select|insert|update|delete|from|where|calipso_test|ECONN|PROTOCOL/i);
  return err;
}

/** A TCP proxy to MariaDB that can drop every connection and refuse new ones ("server down"). */
function tcpProxy(): { port(): number; start(): Promise<void>; stop(): Promise<void> } {
  let server: Server | undefined;
  let port = 0;
  const sockets = new Set<Socket>();
  return {
    port: () => port,
    start: () =>
      new Promise((resolve) => {
        server = createServer((client) => {
          const upstream = connect(MARIADB.port, MARIADB.host);
          for (const s of [client, upstream]) {
            sockets.add(s);
            s.on("close", () => sockets.delete(s));
            s.on("error", () => s.destroy());
          }
          client.pipe(upstream).pipe(client);
          client.on("close", () => upstream.destroy());
          upstream.on("close", () => client.destroy());
        });
        server.listen(port, "127.0.0.1", () => {
          port = (server!.address() as { port: number }).port;
          resolve();
        });
      }),
    stop: () =>
      new Promise((resolve) => {
        for (const s of sockets) s.destroy();
        server!.close(() => resolve());
      }),
  };
}

describe.skipIf(gate.skip)(`[mariadb] faults${gate.note}`, () => {
  let dbName: string;
  let drop: () => Promise<void>;
  let store: SqlStore;
  beforeAll(async () => {
    const db = await createTestDatabase();
    dbName = db.name;
    drop = db.drop;
    store = await createSqlStore({ dialect: "mysql", ...MARIADB, database: dbName, migrate: true, poolSize: 4, secrets: await testSecrets() });
  });
  afterAll(async () => {
    await store?.close();
    await drop?.();
  });

  it("[store-sql/fault-01] a connection killed while waiting for the user's row lock → PROVIDER_UNAVAILABLE, nothing written, the next call succeeds", async () => {
    const u = await user(store);
    const admin = await adminConnection(dbName);
    await admin.query("start transaction");
    await admin.query("select id from users where id = ? for update", [u.id]);
    // `failure()` attaches its handlers now: the rejection may arrive while the test is still busy.
    const pending = failure(store.admitInstance(instanceFor(u.id), LIMITS));
    let victim: number | undefined;
    for (let i = 0; i < 100 && victim === undefined; i++) {
      const [rows] = await admin.query<RowDataPacket[]>(
        "select id from information_schema.processlist where db = ? and id <> connection_id() and info like '%for update%'",
        [dbName],
      );
      victim = rows[0]?.["id"] as number | undefined;
      if (victim === undefined) await new Promise((r) => setTimeout(r, 50));
    }
    expect(victim, "the admission should be waiting on the row lock").toBeTypeOf("number");
    await admin.query(`kill ${Number(victim)}`);
    const error = await pending;
    expect(error.code).toBe("PROVIDER_UNAVAILABLE");
    expect(error.status).toBe(503);
    await admin.query("rollback");
    await admin.end();
    expect((await store.instances.list({ owner: u.id })).total).toBe(0);
    await store.admitInstance(instanceFor(u.id), LIMITS);
    expect((await store.instances.list({ owner: u.id })).total).toBe(1);
  });

  it("[store-sql/fault-02] the connection killed between two writes of a transaction → PROVIDER_UNAVAILABLE and nothing of the first write remains", async () => {
    const u = await user(store);
    const inst = instanceFor(u.id);
    const admin = await adminConnection(dbName);
    const error = await failure(
      store.transaction(async (tx) => {
        await tx.admitInstance(inst, LIMITS);
        await tx.audit.append({ at: new Date(), actor: u.id, action: "instance.launch", target: `instance:${inst.id}`, outcome: "success" });
        const [rows] = await admin.query<RowDataPacket[]>(
          "select t.trx_mysql_thread_id as id from information_schema.innodb_trx t join information_schema.processlist p on p.id = t.trx_mysql_thread_id where p.db = ? and p.id <> connection_id()",
          [dbName],
        );
        expect(rows).toHaveLength(1);
        await admin.query(`kill ${Number(rows[0]!["id"])}`);
        await tx.instances.update(inst.id, ["pending"], { state: "starting" });
      }),
    );
    await admin.end();
    expect(error.code).toBe("PROVIDER_UNAVAILABLE");
    expect(await store.instances.get(inst.id)).toBeNull();
    expect((await store.audit.list({ page: 1, pageSize: 10, target: `instance:${inst.id}` })).total).toBe(0);
    expect(await store.quotas.usage(u.id)).toMatchObject({ instances: 0 });
  });

  it("[store-sql/fault-03] after every pooled connection is killed, calls recover at once", async () => {
    const u = await user(store);
    await Promise.all(Array.from({ length: 4 }, () => store.users.get(u.id)));
    const admin = await adminConnection();
    const [rows] = await admin.query<RowDataPacket[]>("select id from information_schema.processlist where db = ? and id <> connection_id()", [dbName]);
    expect(rows.length).toBeGreaterThan(0);
    for (const r of rows) await admin.query(`kill connection ${Number(r["id"])}`);
    await admin.end();
    // A call may land on a connection whose death the pool has not noticed yet: then it is a 503.
    const first = await store.users.get(u.id).then(
      () => "ok",
      (e: unknown) => (AppError.is(e) ? e.code : "raw"),
    );
    expect(["ok", "PROVIDER_UNAVAILABLE"]).toContain(first);
    expect((await store.users.get(u.id))?.id).toBe(u.id);
    await store.ping();
  });

  it("[store-sql/fault-04] the server going away and coming back: PROVIDER_UNAVAILABLE while down, the next call after it is back succeeds", async () => {
    const proxy = tcpProxy();
    await proxy.start();
    const viaProxy = await createSqlStore({ dialect: "mysql", ...MARIADB, port: proxy.port(), database: dbName, poolSize: 2, connectTimeoutMs: 2000, secrets: await testSecrets() });
    const u = await user(viaProxy);
    await proxy.stop();
    const down = await failure(viaProxy.admitInstance(instanceFor(u.id), LIMITS));
    expect(down.code).toBe("PROVIDER_UNAVAILABLE");
    expect((await failure(viaProxy.ping())).code).toBe("PROVIDER_UNAVAILABLE");
    await proxy.start();
    await viaProxy.admitInstance(instanceFor(u.id), LIMITS);
    expect((await viaProxy.instances.list({ owner: u.id })).total).toBe(1);
    await viaProxy.close();
    await proxy.stop();
  });

  it("[store-sql/fault-05] an unreachable server at start → PROVIDER_UNAVAILABLE without SQL or credentials in the detail", async () => {
    const probe = createServer();
    await new Promise<void>((r) => probe.listen(0, "127.0.0.1", () => r()));
    const port = (probe.address() as { port: number }).port;
    await new Promise<void>((r) => probe.close(() => r()));
    const error = await failure(createSqlStore({ dialect: "mysql", url: `mysql://calipso:hunter2@127.0.0.1:${port}/calipso`, connectTimeoutMs: 2000 }));
    expect(error.code).toBe("PROVIDER_UNAVAILABLE");
    expect(`${error.detail} ${error.message}`).not.toContain("hunter2");
  });

  it("[store-sql/fault-06] refused settings (unknown user, unknown database, TLS the server lacks) → INVALID_CONFIG naming no value", async () => {
    for (const settings of [{ user: "calipso_no_such_user", password: "hunter2" }, { database: "calipso_no_such_db" }, { tls: true as const }]) {
      const error = await failure(createSqlStore({ dialect: "mysql", ...MARIADB, database: dbName, ...settings, connectTimeoutMs: 3000 }));
      expect(error.code, JSON.stringify(settings)).toBe("INVALID_CONFIG");
      expect(`${error.detail} ${error.message}`).not.toMatch(/hunter2|calipso_no_such/);
    }
  });
});
