/**
 * @module The machine's floor for the store benchmark: the same database reached without Calipso.
 *
 * Floor A is a bare round trip (`select 1`); floor B is the store's listing (page 1, default sort:
 * memberships ⨝ experiments ⟕ favourites for one user, newest session first, 20 rows, count(*) over(),
 * as the same deferred join the store builds) written by hand and sent straight to the driver — mysql2
 * with a pool of the store's size, or better-sqlite3 on the store's file. What Calipso adds on top
 * (Kysely, validation, row mapping) is the distance between its listing rows and floor B.
 */
import Database from "better-sqlite3";
import { createPool } from "mysql2/promise";

/** The two floor operations of one database, and how to let it go. */
export interface Floor {
  /** Floor A: one round trip that does no work. */
  selectOne(): Promise<unknown>;
  /** Floor B: page 1 of user `userId`'s experiments, the store's query by hand; resolves to the rows. */
  listPage(userId: string): Promise<unknown[]>;
  close(): Promise<void>;
}

/** The store's page-1 listing (sort by starts_at desc), as one deferred join: narrow sort first, then the page's full rows. */
const LISTING = `
select e.*, x.favourite, x.total from (
  select e.id as eid, e.proposal_id as pid, e.starts_at as sort_key,
         case when f.user_id is null then 0 else 1 end as favourite,
         count(*) over () as total
  from memberships m
  join experiments e on e.id = m.experiment_id
  left join favourites f on f.user_id = m.user_id and f.experiment_id = m.experiment_id
  where m.user_id = ?
  order by e.starts_at desc, e.proposal_id asc, e.id asc
  limit 20 offset 0
) x
join experiments e on e.id = x.eid
order by x.sort_key desc, x.pid asc, x.eid asc`;

/** A bare mysql2 pool (`poolSize` connections, as the store's) on `database`. */
export function createMysqlFloor(conn: { host: string; port: number; user: string; password: string }, database: string, poolSize: number): Floor {
  const pool = createPool({ ...conn, database, connectionLimit: poolSize, timezone: "Z", charset: "utf8mb4_unicode_ci" });
  return {
    selectOne: () => pool.query("select 1"),
    // A server-side prepared statement (`execute`), as the store sends its hot reads.
    listPage: async (userId) => (await pool.execute(LISTING, [userId]))[0] as unknown[],
    close: () => pool.end(),
  };
}

/** better-sqlite3 on the store's file (WAL: reads beside the store's own connection). Synchronous, like the store's driver. */
export function createSqliteFloor(file: string): Floor {
  const db = new Database(file, { readonly: true });
  const one = db.prepare("select 1");
  const page = db.prepare(LISTING);
  return {
    selectOne: async () => one.get(),
    listPage: async (userId) => page.all(userId),
    close: async () => void db.close(),
  };
}
