/**
 * @module An in-memory `Store`: every repository of the port on plain maps. Quota admission is
 * serialised per owner; `transaction()` keeps an undo journal and rolls back on throw. For tests,
 * demos and single-process hosts (state is lost on restart). The repositories are in
 * `memory-accounts.ts`, `memory-catalogue.ts` and `memory-operations.ts`, on the journaled maps of
 * `memory-tables.ts`.
 */
import { z } from "zod";
import { defineProvider } from "../provider.ts";
import type { Store } from "../ports/store.ts";
import { memoryAccounts } from "./memory-accounts.ts";
import { memoryCatalogue } from "./memory-catalogue.ts";
import { memoryOperations } from "./memory-operations.ts";
import { emptyMemoryState, memoryTables } from "./memory-tables.ts";
import type { MemoryShared, MemoryState, Undo } from "./memory-tables.ts";

/** Options of {@link createMemoryStore}. */
export interface MemoryStoreOptions {
  /** Clock used for `experimentsSyncedAt` defaults; the use cases pass their own `now` anyway. */
  readonly now?: () => Date;
}

/** A memory store, with `counts()` of its tables for assertions in tests. */
export interface MemoryStore extends Store {
  /** Counts of every table (for tests asserting that nothing partial was written). */
  counts(): Readonly<Record<keyof MemoryState, number>>;
}

/**
 * Creates an empty in-memory store that implements the whole `Store` port.
 *
 * @example
 * const store = createMemoryStore();
 * await store.templates.put(template);
 */
export function createMemoryStore(_options: MemoryStoreOptions = {}): MemoryStore {
  const { state, shared } = emptyMemoryState();
  return build(state, shared, undefined);
}

/** One view of the store: the store itself (no journal) or a transaction (writes journaled). */
function build(state: MemoryState, shared: MemoryShared, journal: Undo[] | undefined): MemoryStore {
  const tables = memoryTables(state, shared, journal);
  const { open } = tables;
  const store: MemoryStore = {
    ...memoryAccounts(tables),
    ...memoryCatalogue(tables),
    ...memoryOperations(tables),

    async transaction<T>(fn: (tx: Store) => Promise<T>): Promise<T> {
      open();
      if (journal) return fn(store);
      return shared.txLock.run("tx", async () => {
        const undo: Undo[] = [];
        const tx = build(state, shared, undo);
        try {
          return await fn(tx);
        } catch (error) {
          for (const u of undo.reverse()) u();
          throw error;
        }
      });
    },

    async ping() {
      open();
    },

    async close() {
      shared.closed = true;
    },

    counts() {
      return Object.fromEntries(Object.entries(state).map(([k, m]) => [k, (m as Map<unknown, unknown>).size])) as Record<keyof MemoryState, number>;
    },
  };
  return store;
}

/** The memory store as a provider definition (`store: { provider: "memory" }`). */
export const memoryStore = defineProvider("store", {
  name: "memory",
  description: "In-memory store for tests and demos: state is lost on restart and not shared between processes",
  configSchema: z.strictObject({}).describe("The memory store takes no options"),
  capabilities: { multiProcess: false, transactions: true },
  create: () => createMemoryStore(),
});
