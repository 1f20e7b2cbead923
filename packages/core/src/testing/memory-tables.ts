/**
 * @module The maps behind the memory store, and the journaled writes its repositories share: every
 * `put` and `del` inside `transaction()` records how to undo itself.
 */
import { AppError } from "../errors.ts";
import type { Experiment, SourceExperiment } from "../domain/experiment.ts";
import { ACTIVE_STATES } from "../domain/instance.ts";
import type { Instance } from "../domain/instance.ts";
import { EMPTY_USAGE, addUsage } from "../domain/quota.ts";
import type { QuotaLimits, QuotaUsage } from "../domain/quota.ts";
import type { AuditEvent } from "../domain/audit.ts";
import type { ApiTokenRecord, SessionRecord } from "../domain/session.ts";
import type { Template } from "../domain/template.ts";
import type { User } from "../domain/user.ts";
import { createId } from "../tokens.ts";
import { KeyedMutex } from "../util/mutex.ts";

/** The maps behind a memory store. Keys of pair maps are `a\u0000b`. */
export interface MemoryState {
  users: Map<string, User>;
  sessions: Map<string, SessionRecord>;
  apiTokens: Map<string, ApiTokenRecord>;
  experiments: Map<string, Experiment>;
  experimentKeys: Map<string, string>;
  memberships: Map<string, true>;
  favourites: Map<string, true>;
  templates: Map<string, Template>;
  instances: Map<string, Instance>;
  quotas: Map<string, QuotaLimits>;
  audit: Map<string, AuditEvent & { seq: number }>;
  leases: Map<string, { holder: string; expiresAt: number }>;
}

/** What every view of one memory store shares, transactions included. */
export interface MemoryShared {
  readonly userLocks: KeyedMutex;
  readonly txLock: KeyedMutex;
  seq: number;
  closed: boolean;
}

/** One step of a transaction's undo journal. */
export type Undo = () => void;

/** The key of a pair map. */
export const pair = (a: string, b: string): string => `${a}\u0000${b}`;
/** A deep copy: nothing a caller holds aliases the store's maps. */
export const clone = <T>(value: T): T => structuredClone(value);

/** Empty maps and fresh locks for a new store. */
export function emptyMemoryState(): { state: MemoryState; shared: MemoryShared } {
  const state: MemoryState = {
    users: new Map(),
    sessions: new Map(),
    apiTokens: new Map(),
    experiments: new Map(),
    experimentKeys: new Map(),
    memberships: new Map(),
    favourites: new Map(),
    templates: new Map(),
    instances: new Map(),
    quotas: new Map(),
    audit: new Map(),
    leases: new Map(),
  };
  return { state, shared: { userLocks: new KeyedMutex(), txLock: new KeyedMutex(), seq: 0, closed: false } };
}

/** The state, and the writes and lookups the repositories share, for one view (the store or a transaction). */
export interface MemoryTables {
  readonly state: MemoryState;
  readonly shared: MemoryShared;
  put<K, V>(map: Map<K, V>, key: K, value: V): void;
  /** Deletes `key`; false when it was not there. */
  del<K, V>(map: Map<K, V>, key: K): boolean;
  /** Refuses every call once the store is closed. */
  open(): void;
  /** A copy of the value at `key`, or null (after `open()`). */
  read<K, V>(map: Map<K, V>, key: K): V | null;
  userOf(id: string): User;
  upsertExperiment(source: string, e: SourceExperiment): Experiment;
  usageOf(owner: string): QuotaUsage;
}

/** The tables of one view; with a `journal`, every write records its undo there. */
export function memoryTables(state: MemoryState, shared: MemoryShared, journal: Undo[] | undefined): MemoryTables {
  function put<K, V>(map: Map<K, V>, key: K, value: V): void {
    const had = map.has(key);
    const old = map.get(key);
    map.set(key, value);
    journal?.push(() => (had ? map.set(key, old as V) : map.delete(key)));
  }
  function del<K, V>(map: Map<K, V>, key: K): boolean {
    if (!map.has(key)) return false;
    const old = map.get(key) as V;
    map.delete(key);
    journal?.push(() => map.set(key, old));
    return true;
  }
  function open(): void {
    if (shared.closed) throw new AppError("PROVIDER_UNAVAILABLE", { detail: "The memory store is closed", provider: "memory" });
  }
  function read<K, V>(map: Map<K, V>, key: K): V | null {
    open();
    const value = map.get(key);
    return value === undefined ? null : clone(value);
  }
  function userOf(id: string): User {
    const u = state.users.get(id);
    if (!u) throw new AppError("NOT_FOUND", { detail: `No user ${id}` });
    return u;
  }
  function upsertExperiment(source: string, e: SourceExperiment): Experiment {
    const key = pair(source, e.proposalId);
    const id = state.experimentKeys.get(key) ?? createId();
    const stored: Experiment = { ...clone(e), id, source };
    put(state.experimentKeys, key, id);
    put(state.experiments, id, stored);
    return stored;
  }
  function usageOf(owner: string): QuotaUsage {
    let usage = EMPTY_USAGE;
    for (const i of state.instances.values()) if (i.owner === owner && ACTIVE_STATES.includes(i.state)) usage = addUsage(usage, i.resources);
    return usage;
  }
  return { state, shared, put, del, open, read, userOf, upsertExperiment, usageOf };
}
