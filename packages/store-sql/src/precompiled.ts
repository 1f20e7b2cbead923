/**
 * @module Hot read queries compiled once per shape instead of on every call.
 *
 * Building and compiling a Kysely query costs more Node CPU than the driver round trip for the
 * small reads every API request makes. A {@link Precompiled} query is built once per shape (per
 * dialect) with placeholder objects in place of the per-call values; the compiled parameter list
 * is then scanned for those placeholders, so the order of parameters always comes from Kysely's
 * compiler itself, never from counting `?`s by hand.
 */
import type { CompiledQuery, Compilable, Kysely } from "kysely";
import type { Database } from "./schema.ts";

/** Stands for a per-call value while a query is compiled. */
class Placeholder {
  constructor(readonly name: string) {}
}

/**
 * The SQL texts of precompiled reads. The MySQL dialect runs exactly these as prepared statements
 * (mysql2 `execute`, cached per connection); everything else keeps using `query`.
 */
export const preparedReads = new Set<string>();

/** More shapes than this are compiled on every call instead of cached (a caller-driven shape must not grow the cache unbounded). */
const MAX_SHAPES = 256;

/** The compiled SQL of one shape and, per parameter, where its value comes from. */
interface Template {
  readonly base: CompiledQuery;
  /** Per parameter: the name of the per-call value, or `undefined` for a constant baked in by the builder. */
  readonly names: readonly (string | undefined)[];
  readonly constants: readonly unknown[];
}

/**
 * A query compiled once per shape. `build` receives placeholders typed as the values (they are
 * only ever bound as parameters, so the builder must not inspect them); every call then binds the
 * real values into the cached SQL.
 */
export class Precompiled<S, P extends Record<string, unknown>, R> {
  readonly #templates = new Map<string, Template>();
  readonly #build: (db: Kysely<Database>, shape: S, values: P) => Compilable<R>;

  constructor(build: (db: Kysely<Database>, shape: S, values: P) => Compilable<R>) {
    this.#build = build;
  }

  /**
   * Runs the query of `shape` (identified by `key`, which must determine the SQL text) with `values`.
   * `dialect` keys the cache too: the SQL text differs between MySQL and SQLite. (The cache is
   * shared by all stores of the process: their Kysely instances have no plugins, so the SQL text
   * depends on the dialect only.)
   */
  async execute(db: Kysely<Database>, dialect: string, key: string, shape: S, values: P): Promise<R[]> {
    const cacheKey = `${dialect}:${key}`;
    let t = this.#templates.get(cacheKey);
    if (!t) {
      t = this.#compile(db, shape);
      if (this.#templates.size < MAX_SHAPES) {
        this.#templates.set(cacheKey, t);
        preparedReads.add(t.base.sql);
      }
    }
    const parameters = new Array<unknown>(t.names.length);
    for (let i = 0; i < parameters.length; i++) {
      const name = t.names[i];
      // undefined is sent as NULL, as Kysely's own queries do (prepared statements refuse undefined).
      parameters[i] = name === undefined ? t.constants[i] : (values[name] ?? null);
    }
    // Same query node and id as the compiled template (no plugins are installed, so the id is unused).
    const compiled: CompiledQuery<R> = { sql: t.base.sql, query: t.base.query, queryId: t.base.queryId, parameters };
    return (await db.executeQuery(compiled)).rows;
  }

  #compile(db: Kysely<Database>, shape: S): Template {
    // Every value the builder reads is a placeholder named after its key.
    const placeholders = new Proxy({}, { get: (_, name) => new Placeholder(String(name)) }) as P;
    const base = this.#build(db, shape, placeholders).compile();
    if (base.sql.includes("[object")) throw new TypeError("a placeholder was inlined into the SQL text instead of bound");
    const names: (string | undefined)[] = [];
    const constants: unknown[] = [];
    for (const p of base.parameters) {
      if (p instanceof Placeholder) {
        names.push(p.name);
        constants.push(undefined);
      } else if (typeof p === "object" && p !== null && !(p instanceof Date)) {
        // A placeholder nested in a list or object would silently be sent as-is: refuse it.
        throw new TypeError("precompiled queries take scalar parameters only");
      } else {
        names.push(undefined);
        constants.push(p);
      }
    }
    return { base, names, constants };
  }
}
