/**
 * @module `jdbc` mode: an instance's desktop is a Guacamole connection plus a per-instance
 * Guacamole user allowed to READ it, written into Guacamole's MySQL database. Access logs that
 * user in server-side and hands the browser only the resulting short-lived auth token.
 */
import { AppError, toAppError } from "@calipso/core";
import type { DesktopHandle, ProviderContext, RemoteDesktop } from "@calipso/core";
import { encodeBase64url } from "@oslojs/encoding";
import { createPool } from "mysql2/promise";
import type { Pool } from "mysql2/promise";
import { z } from "zod";
import type { JdbcConfig } from "../config.ts";
import { connectionParameters, gatewayName, guacamoleProtocol } from "../connection.ts";
import { PROVIDER_NAME, readHandle } from "../handle.ts";
import { createGuacamolePassword, hashGuacamolePassword } from "./password.ts";
import { deleteRows, findConnection, inTransaction, lastUse, listByPrefix, viewerName, writeRows } from "./repository.ts";
import { fetchAuthToken } from "./rest.ts";

/** A `jdbc` handle: names to find the rows again, and the per-instance password, encrypted. */
export const JdbcStateSchema = z.strictObject({
  mode: z.literal("jdbc"),
  instanceId: z.string().min(1),
  connectionId: z.number().int(),
  username: z.string().min(1),
  /** Encrypted with the server key; absent on handles rebuilt by `list()` (orphans are only released). */
  password: z.string().min(1).optional(),
  /** The read-only twin: its connection id and its user's password (encrypted). */
  viewer: z.strictObject({ connectionId: z.number().int(), password: z.string().min(1) }).optional(),
});
export type JdbcState = z.infer<typeof JdbcStateSchema>;

/** Extra knobs for tests. */
export interface JdbcDesktopOptions {
  /** Called between inserts (tests use it to fail mid-transaction). */
  readonly afterInsert?: (table: string) => void | Promise<void>;
  /** An existing pool (the desktop then does not close it). */
  readonly pool?: Pool;
}

/**
 * The client URL of a connection: `#/client/<id>` with id = base64url(`<connection id>\0c\0<data source>`),
 * and the auth token as the only credential.
 */
export function clientUrl(guacamoleUrl: string, connectionId: number, dataSource: string, authToken: string): string {
  const id = encodeBase64url(new TextEncoder().encode(`${connectionId}\0c\0${dataSource}`)).replace(/=+$/, "");
  return `${guacamoleUrl.replace(/\/$/, "")}/#/client/${id}?token=${encodeURIComponent(authToken)}`;
}

/** Creates the `jdbc`-mode desktop. */
export function createJdbcDesktop(config: JdbcConfig, ctx: ProviderContext, options: JdbcDesktopOptions = {}): RemoteDesktop {
  const pool =
    options.pool ??
    createPool({
      host: config.database.host,
      port: config.database.port,
      user: config.database.user,
      password: config.database.password,
      database: config.database.database,
      connectionLimit: config.database.connectionLimit,
      charset: "utf8mb4",
    });
  const db = async <T>(what: string, fn: () => Promise<T>): Promise<T> => {
    try {
      return await fn();
    } catch (error) {
      if (error instanceof AppError) throw error;
      const code = (error as { code?: string }).code ?? "";
      const unavailable = /ECONNREFUSED|ETIMEDOUT|ENOTFOUND|PROTOCOL_CONNECTION_LOST|ER_ACCESS_DENIED/.test(code);
      throw toAppError(error, unavailable ? "PROVIDER_UNAVAILABLE" : "PROVIDER_ERROR", { detail: `Guacamole database: could not ${what}`, provider: PROVIDER_NAME });
    }
  };

  return {
    async register(registration) {
      const name = gatewayName(config.namePrefix, registration.instanceId);
      const protocol = guacamoleProtocol(registration);
      const parameters = connectionParameters(registration, config);
      const password = createGuacamolePassword();
      const viewerPassword = createGuacamolePassword();
      const ro = viewerName(name);
      const [ids, viewerIds] = await db("register the desktop", () =>
        inTransaction(pool, async (conn) => {
          await deleteRows(conn, name);
          const main = await writeRows(conn, { name, protocol, parameters, username: name, password: hashGuacamolePassword(password) }, options.afterInsert);
          const viewer = await writeRows(conn, {
            name: ro,
            protocol,
            parameters: { ...parameters, "read-only": "true" },
            username: ro,
            password: hashGuacamolePassword(viewerPassword),
          });
          return [main, viewer] as const;
        }),
      );
      const state = {
        mode: "jdbc",
        instanceId: registration.instanceId,
        connectionId: ids.connectionId,
        username: name,
        password: await ctx.secrets.encrypt(password),
        viewer: { connectionId: viewerIds.connectionId, password: await ctx.secrets.encrypt(viewerPassword) },
      } satisfies JdbcState;
      return { provider: PROVIDER_NAME, id: name, state };
    },

    async access(handle, user) {
      const state = readHandle(handle, JdbcStateSchema);
      const notFound = () => new AppError("NOT_FOUND", { detail: "No such desktop at this gateway", provider: PROVIDER_NAME });
      const target = user.readOnly
        ? state.viewer && { name: viewerName(handle.id), connectionId: state.viewer.connectionId, password: state.viewer.password }
        : state.password && { name: handle.id, connectionId: state.connectionId, password: state.password };
      if (!target || handle.id !== state.username) throw notFound();
      // The rows must still be there (released or foreign handles get NOT_FOUND, not a Guacamole login error).
      const found = await db("look the desktop up", () => findConnection(pool, target.name));
      if (found !== target.connectionId) throw notFound();
      const password = await ctx.secrets.decrypt(target.password);
      const token = await fetchAuthToken(ctx.fetch, config.apiUrl ?? config.guacamoleUrl, { username: target.name, password }, ctx.signal);
      const expiresAt = new Date(ctx.now().getTime() + config.sessionTimeoutMinutes * 60_000);
      return { url: clientUrl(config.guacamoleUrl, target.connectionId, token.dataSource ?? config.dataSource, token.authToken), expiresAt };
    },

    async release(handle) {
      if (handle.provider !== PROVIDER_NAME || !handle.id.startsWith(config.namePrefix)) return;
      await db("release the desktop", () => inTransaction(pool, (conn) => deleteRows(conn, handle.id)));
    },

    async list() {
      const rows = await db("list desktops", () => listByPrefix(pool, config.namePrefix));
      return rows.map((r) => {
        const instanceId = r.name.slice(config.namePrefix.length);
        const state = { mode: "jdbc", instanceId, connectionId: r.connectionId, username: r.name } satisfies JdbcState;
        const handle: DesktopHandle = { provider: PROVIDER_NAME, id: r.name, state };
        return { handle, instanceId };
      });
    },

    async lastActivity(handle) {
      readHandle(handle, JdbcStateSchema);
      return db("read the connection history", () => lastUse(pool, handle.id, ctx.now()));
    },

    async dispose() {
      if (!options.pool) await pool.end();
    },
  };
}
