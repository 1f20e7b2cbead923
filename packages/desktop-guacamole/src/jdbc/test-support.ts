/**
 * @module Test support for `jdbc` mode (not exported): a throwaway Guacamole database on the real
 * MariaDB, and a FAKE of Guacamole's REST token endpoint (`POST /api/tokens`) that checks the
 * posted password against `guacamole_user` the way Guacamole does, recomputed with node:crypto.
 */
import { createHash, randomBytes } from "node:crypto";
import http from "node:http";
import type { AddressInfo } from "node:net";
import { createPool } from "mysql2/promise";
import type { Pool, RowDataPacket } from "mysql2/promise";
import { GUACAMOLE_SCHEMA } from "./schema.ts";

export const MARIADB = { host: "127.0.0.1", port: 3306, user: "root", password: "" };

/** A database of its own for one test file; `drop()` removes it. */
export interface TestDatabase {
  readonly name: string;
  readonly pool: Pool;
  drop(): Promise<void>;
}

/** Creates a fresh Guacamole database, or returns the reason MariaDB is unreachable. */
export async function createTestDatabase(): Promise<TestDatabase | string> {
  const name = `calipso_guac_${randomBytes(6).toString("hex")}`;
  const admin = createPool({ ...MARIADB, connectionLimit: 1, connectTimeout: 3000 });
  try {
    await admin.query(`CREATE DATABASE \`${name}\` CHARACTER SET utf8mb4`);
  } catch (e) {
    await admin.end().catch(() => {});
    return `MariaDB at 127.0.0.1:3306 is unreachable (${(e as Error).message})`;
  }
  await admin.end();
  const pool = createPool({ ...MARIADB, database: name, connectionLimit: 20, multipleStatements: false });
  for (const statement of GUACAMOLE_SCHEMA) await pool.query(statement);
  return {
    name,
    pool,
    async drop() {
      await pool.query(`DROP DATABASE \`${name}\``);
      await pool.end();
    },
  };
}

/** Guacamole's check: SHA-256 over the password followed by the upper-case hex of the salt. */
export function guacamoleVerifies(password: string, hash: Buffer, salt: Buffer): boolean {
  const expected = createHash("sha256").update(password + salt.toString("hex").toUpperCase(), "utf8").digest();
  return expected.equals(hash);
}

/** A fake of Guacamole's `POST /api/tokens` that authenticates against the test database. */
export interface FakeGuacamoleApi {
  readonly url: string;
  readonly logins: { username: string; ok: boolean; query: string }[];
  close(): Promise<void>;
}

export async function startFakeGuacamoleApi(pool: Pool): Promise<FakeGuacamoleApi> {
  const logins: FakeGuacamoleApi["logins"] = [];
  const server = http.createServer((req, res) => {
    let body = "";
    req.on("data", (c) => (body += c));
    req.on("end", async () => {
      const url = new URL(req.url ?? "/", "http://x");
      if (req.method !== "POST" || url.pathname !== "/guacamole/api/tokens" || !/x-www-form-urlencoded/.test(req.headers["content-type"] ?? "")) {
        res.writeHead(404).end();
        return;
      }
      const form = new URLSearchParams(body);
      const username = form.get("username") ?? "";
      const [rows] = await pool.query<RowDataPacket[]>(
        "SELECT u.password_hash, u.password_salt, u.disabled FROM guacamole_user u JOIN guacamole_entity e ON e.entity_id = u.entity_id WHERE e.name = ? AND e.type = 'USER'",
        [username],
      );
      const row = rows[0];
      const ok = !!row && !row.disabled && guacamoleVerifies(form.get("password") ?? "", row.password_hash as Buffer, row.password_salt as Buffer);
      logins.push({ username, ok, query: url.search });
      if (!ok) {
        res.writeHead(403, { "content-type": "application/json" }).end(JSON.stringify({ message: "Permission Denied.", type: "INVALID_CREDENTIALS" }));
        return;
      }
      res.writeHead(200, { "content-type": "application/json" }).end(
        JSON.stringify({ authToken: randomBytes(32).toString("hex").toUpperCase(), username, dataSource: "mysql", availableDataSources: ["mysql", "mysql-shared"] }),
      );
    });
  });
  await new Promise<void>((r) => server.listen(0, "127.0.0.1", r));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/guacamole`,
    logins,
    close: () => new Promise<void>((r) => server.close(() => r())),
  };
}
