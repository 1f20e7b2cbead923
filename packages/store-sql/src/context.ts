/** @module What every repository needs: the current connection (or transaction), the dialect, secrets. */
import type { Secrets } from "@calipso/core";
import type { Kysely } from "kysely";
import type { SqlDialect } from "./dialect.ts";
import type { Database } from "./schema.ts";

/** Shared state of one store (or of one transaction's view of it). */
export interface RepoContext {
  readonly dialect: SqlDialect;
  /** Provider name for errors (`mysql` or `sqlite`). */
  readonly provider: string;
  /** Encrypts instance secrets at rest; absent only in stores that never hold secrets. */
  readonly secrets: Secrets | undefined;
  /** The connection or transaction to run on now. */
  db(): Kysely<Database>;
  /** Whether calls run inside a transaction already (no nested transaction is opened then). */
  inTransaction(): boolean;
}
