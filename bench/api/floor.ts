/**
 * @module The machine's floor for the API benchmark: a bare Hono app, no Calipso.
 *
 * Same HTTP stack as Calipso's (Hono on @hono/node-server, 127.0.0.1) with two routes:
 * - GET /floor/hello     → {"ok":true}: HTTP and JSON only;
 * - GET /floor/one-query → one mysql2 prepared statement per request, as the store sends its hot reads (a user's instances, `select * … where owner = ?`),
 *   the rows as JSON: the least a database-backed endpoint costs here.
 * Its own mysql2 pool (16 connections, as the store's), ended by `close()`.
 */
import type { Server } from "node:http";
import type { AddressInfo } from "node:net";
import { serve } from "@hono/node-server";
import { Hono } from "hono";
import { createPool } from "mysql2/promise";

export interface FloorServer {
  /** http://127.0.0.1:<port> */
  base: string;
  close(): Promise<void>;
}

/** Starts the bare app on the MariaDB `database`; `/floor/one-query` lists the instances of `owner`. */
export async function startFloorServer(conn: { host: string; port: number; user: string; password: string }, database: string, owner: string): Promise<FloorServer> {
  const pool = createPool({ ...conn, database, connectionLimit: 16, timezone: "Z", charset: "utf8mb4_unicode_ci" });
  const app = new Hono();
  app.get("/floor/hello", (c) => c.json({ ok: true }));
  app.get("/floor/one-query", async (c) => {
    const [rows] = await pool.execute("select * from instances where owner = ?", [owner]);
    return c.json(rows);
  });
  const server = await new Promise<Server>((resolve) => {
    const s = serve({ fetch: app.fetch, hostname: "127.0.0.1", port: 0 }, () => resolve(s as Server)) as Server;
  });
  return {
    base: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    close: async () => {
      await new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      });
      await pool.end();
    },
  };
}
