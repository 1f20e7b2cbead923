/**
 * @module The SQL of `jdbc` mode (mysql2/promise): one transaction writes an instance's
 * connection, parameters, per-instance user and READ permission; one deletes them all.
 */
import type { Pool, PoolConnection, ResultSetHeader, RowDataPacket } from "mysql2/promise";
import type { GuacamolePasswordHash } from "./password.ts";

/** One connection and the one user allowed to READ it. */
export interface ConnectionRows {
  readonly name: string;
  readonly protocol: string;
  readonly parameters: Readonly<Record<string, string>>;
  readonly username: string;
  readonly password: GuacamolePasswordHash;
}

/** Ids of the rows written. */
export interface WrittenIds {
  readonly connectionId: number;
  readonly entityId: number;
  readonly userId: number;
}

/** Name of an instance's read-only twin (a space never occurs in instance ids, so it can't collide). */
export function viewerName(name: string): string {
  return `${name} (read-only)`;
}

/** Runs `fn` in a transaction on one pooled connection; rolls back on any error. */
export async function inTransaction<T>(pool: Pool, fn: (conn: PoolConnection) => Promise<T>): Promise<T> {
  for (let attempt = 1; ; attempt++) {
    try {
      return await once(pool, fn);
    } catch (error) {
      const code = (error as { errno?: number }).errno;
      // 1213 deadlock, 1205 lock wait timeout: safe to retry, the transaction was rolled back.
      if ((code !== 1213 && code !== 1205) || attempt >= 5) throw error;
      await new Promise((r) => setTimeout(r, 10 * attempt + Math.random() * 20));
    }
  }
}

async function once<T>(pool: Pool, fn: (conn: PoolConnection) => Promise<T>): Promise<T> {
  const conn = await pool.getConnection();
  try {
    // READ COMMITTED: no gap locks on the existence checks, so concurrent registrations don't deadlock.
    await conn.query("SET TRANSACTION ISOLATION LEVEL READ COMMITTED");
    await conn.beginTransaction();
    const result = await fn(conn);
    await conn.commit();
    return result;
  } catch (error) {
    await conn.rollback().catch(() => {});
    throw error;
  } finally {
    conn.release();
  }
}

/** Deletes an instance's connection (parameters, permissions cascade) and its user entity (user cascades). */
export async function deleteRows(conn: PoolConnection | Pool, name: string): Promise<number> {
  const names = [name, viewerName(name)];
  const [c] = await conn.query<ResultSetHeader>("DELETE FROM guacamole_connection WHERE connection_name IN (?) AND parent_id IS NULL", [names]);
  const [e] = await conn.query<ResultSetHeader>("DELETE FROM guacamole_entity WHERE name IN (?) AND type = 'USER'", [names]);
  return c.affectedRows + e.affectedRows;
}

/** The id of a connection by name, if it exists together with its user. */
export async function findConnection(pool: Pool, name: string): Promise<number | undefined> {
  const [rows] = await pool.execute<RowDataPacket[]>(
    "SELECT c.connection_id FROM guacamole_connection c JOIN guacamole_connection_permission p ON p.connection_id = c.connection_id JOIN guacamole_entity e ON e.entity_id = p.entity_id AND e.type = 'USER' AND e.name = c.connection_name WHERE c.connection_name = ? AND c.parent_id IS NULL",
    [name],
  );
  return rows[0] ? Number(rows[0].connection_id) : undefined;
}

/**
 * Replaces an instance's rows: deletes any earlier registration of the same name, then
 * inserts entity, user, connection, parameters and the READ permission. `afterInsert` is a
 * test hook called between inserts.
 */
export async function writeRows(conn: PoolConnection, rows: ConnectionRows, afterInsert?: (table: string) => void | Promise<void>): Promise<WrittenIds> {
  const [entity] = await conn.execute<ResultSetHeader>("INSERT INTO guacamole_entity (name, type) VALUES (?, 'USER')", [rows.username]);
  await afterInsert?.("guacamole_entity");
  const [user] = await conn.execute<ResultSetHeader>(
    "INSERT INTO guacamole_user (entity_id, password_hash, password_salt, password_date) VALUES (?, ?, ?, NOW())",
    [entity.insertId, Buffer.from(rows.password.hash), Buffer.from(rows.password.salt)],
  );
  await afterInsert?.("guacamole_user");
  const [connection] = await conn.execute<ResultSetHeader>(
    "INSERT INTO guacamole_connection (connection_name, parent_id, protocol) VALUES (?, NULL, ?)",
    [rows.name, rows.protocol],
  );
  await afterInsert?.("guacamole_connection");
  const entries = Object.entries(rows.parameters);
  if (entries.length > 0) {
    await conn.query("INSERT INTO guacamole_connection_parameter (connection_id, parameter_name, parameter_value) VALUES ?", [
      entries.map(([k, v]) => [connection.insertId, k, v]),
    ]);
  }
  await afterInsert?.("guacamole_connection_parameter");
  await conn.execute("INSERT INTO guacamole_connection_permission (entity_id, connection_id, permission) VALUES (?, ?, 'READ')", [
    entity.insertId,
    connection.insertId,
  ]);
  await afterInsert?.("guacamole_connection_permission");
  return { connectionId: connection.insertId, entityId: entity.insertId, userId: user.insertId };
}

/** Every connection whose name starts with `prefix` (Calipso's registrations, orphans included). */
export async function listByPrefix(pool: Pool, prefix: string): Promise<{ connectionId: number; name: string }[]> {
  const escaped = prefix.replace(/[\\%_]/g, (c) => `\\${c}`);
  const [rows] = await pool.query<RowDataPacket[]>(
    "SELECT connection_id, connection_name FROM guacamole_connection WHERE connection_name LIKE ? AND connection_name NOT LIKE '% (read-only)' AND parent_id IS NULL ORDER BY connection_id",
    [`${escaped}%`],
  );
  const [users] = await pool.query<RowDataPacket[]>(
    "SELECT e.name FROM guacamole_entity e LEFT JOIN guacamole_connection c ON c.connection_name = e.name AND c.parent_id IS NULL WHERE e.type = 'USER' AND e.name LIKE ? AND e.name NOT LIKE '% (read-only)' AND c.connection_id IS NULL",
    [`${escaped}%`],
  );
  return [
    ...rows.map((r) => ({ connectionId: Number(r.connection_id), name: String(r.connection_name) })),
    ...users.map((u) => ({ connectionId: 0, name: String(u.name) })),
  ];
}

/** When the connection was last used through Guacamole: now while a session is open, else the last end. */
export async function lastUse(pool: Pool, name: string, now: Date): Promise<Date | null> {
  const [rows] = await pool.query<RowDataPacket[]>(
    "SELECT MAX(h.end_date) AS last_end, SUM(h.end_date IS NULL) AS open FROM guacamole_connection_history h JOIN guacamole_connection c ON c.connection_id = h.connection_id WHERE c.connection_name = ? AND c.parent_id IS NULL",
    [name],
  );
  const row = rows[0];
  if (!row) return null;
  if (Number(row.open) > 0) return now;
  return row.last_end ? new Date(row.last_end as Date) : null;
}
