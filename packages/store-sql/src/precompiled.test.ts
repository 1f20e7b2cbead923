/** @module Precompiled queries: parameters bound in the compiler's order, one compile per shape. */
import { afterAll, describe, expect, it } from "vitest";
import { sql } from "kysely";
import { SqliteConfigSchema } from "./config.ts";
import { createSqlite } from "./sqlite.ts";
import { Precompiled, preparedReads } from "./precompiled.ts";

const { db, raw } = createSqlite(SqliteConfigSchema.parse({ file: ":memory:" }));
raw.exec("create table t (a text, b text, n integer)");
raw.exec("insert into t values ('x', 'p', 1), ('y', 'q', 2), ('x', 'q', 3), ('z', 'p%', 4)");
afterAll(() => db.destroy());

describe("Precompiled", () => {
  it("binds values by name whatever order the compiler puts them in, and reuses one value several times", async () => {
    let builds = 0;
    const q = new Precompiled((kdb, shape: { byB: boolean }, v: { a: string; b: string; limit: number }) => {
      builds++;
      // Untyped table: the test schema is not the store's.
      let b = (kdb as unknown as typeof db).selectFrom("t" as never).select(sql<number>`n`.as("n"));
      if (shape.byB) b = b.where(sql<boolean>`(b = ${v.b} or b like ${v.b} escape '!')`);
      return b.where(sql<boolean>`(a = ${v.a} or ${v.a} = 'any')`).orderBy(sql`n`, "desc").limit(v.limit);
    });
    const run = (byB: boolean, a: string, b: string, limit: number) => q.execute(db as never, "sqlite", String(byB), { byB }, { a, b, limit });
    expect(await run(true, "x", "q", 10)).toEqual([{ n: 3 }]);
    expect(await run(true, "any", "p", 1)).toEqual([{ n: 1 }]);
    expect(await run(false, "x", "ignored", 10)).toEqual([{ n: 3 }, { n: 1 }]);
    expect(await run(false, "any", "", 2)).toEqual([{ n: 4 }, { n: 3 }]);
    expect(builds).toBe(2);
    expect(preparedReads.size).toBeGreaterThanOrEqual(2);
  });

  it("refuses a builder that puts a value where it cannot be bound as one parameter", async () => {
    const q = new Precompiled((kdb, _: void, v: { ids: string }) => (kdb as unknown as typeof db).selectFrom("t" as never).select(sql<number>`n`.as("n")).where(sql.ref("a"), "in", [v.ids, v.ids] as never));
    // A list of placeholders is fine (each is one parameter)…
    expect(await q.execute(db as never, "sqlite", "list", undefined, { ids: "z" })).toEqual([{ n: 4 }]);
    // …but a placeholder inside an object value is not.
    const bad = new Precompiled((kdb, _: void, v: { a: string }) => (kdb as unknown as typeof db).selectFrom("t" as never).select(sql<number>`n`.as("n")).where(sql<boolean>`a = ${{ nested: v.a }}`));
    await expect(bad.execute(db as never, "sqlite", "bad", undefined, { a: "x" })).rejects.toThrow(/scalar parameters/);
  });
});
