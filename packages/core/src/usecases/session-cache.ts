/**
 * @module An optional in-process cache of authenticated sessions (off unless `sessions.cacheSec` > 0).
 *
 * Authenticating a session costs two store reads (the session by its token hash, then its user) on
 * every request. With the cache, a session authenticated in the last `cacheSec` seconds is answered
 * from memory. What this process changes is evicted at once (logout, role and grant changes, a new
 * login or experiment sync of the user). What another replica changes is seen here only when the
 * entry ages out, so a logout or a role removal on replica A can take up to `cacheSec` to reach
 * replica B: keep it short (seconds), or off when that lag is not acceptable.
 */
import type { User } from "../domain/user.ts";

/** One authenticated session, as last read from (or written to) the store. */
export interface CachedSession {
  readonly user: User;
  /** The session's expiry as the store has it. */
  expiresAt: Date;
  /** Epoch ms after which the entry is not used any more. */
  readonly until: number;
}

/** The cache: keyed by token hash, bounded in size (the oldest entries go first). */
export interface SessionCache {
  get(tokenHash: string, nowMs: number): CachedSession | undefined;
  set(tokenHash: string, user: User, expiresAt: Date, nowMs: number): void;
  /** Forgets one session (logout, expiry). */
  delete(tokenHash: string): void;
  /** Forgets every session of a user (their roles, grants or experiments changed). */
  deleteUser(userId: string): void;
  readonly size: number;
}

/** Creates the cache; `ttlMs` is how long an entry may be used, `maxEntries` bounds memory. */
export function createSessionCache(ttlMs: number, maxEntries = 10_000): SessionCache {
  const entries = new Map<string, CachedSession>();
  return {
    get(tokenHash, nowMs) {
      const entry = entries.get(tokenHash);
      if (!entry) return undefined;
      if (entry.until <= nowMs) {
        entries.delete(tokenHash);
        return undefined;
      }
      return entry;
    },
    set(tokenHash, user, expiresAt, nowMs) {
      entries.delete(tokenHash);
      if (entries.size >= maxEntries) {
        const oldest = entries.keys().next();
        if (!oldest.done) entries.delete(oldest.value);
      }
      entries.set(tokenHash, { user, expiresAt, until: nowMs + ttlMs });
    },
    delete(tokenHash) {
      entries.delete(tokenHash);
    },
    deleteUser(userId) {
      for (const [hash, entry] of entries) if (entry.user.id === userId) entries.delete(hash);
    },
    get size() {
      return entries.size;
    },
  };
}
