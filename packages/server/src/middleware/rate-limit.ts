/** @module Fixed-window counters for login rate limiting (per account and per client address). */

/** A limit: at most `max` counted events per `windowSec`. */
export interface RateLimit {
  readonly max: number;
  readonly windowSec: number;
}

/** Counts events per key. Replace the memory one with a shared one when running several replicas. */
export interface RateLimiter {
  /** Seconds until `key` may try again, or 0 when it is not blocked. Does not count. */
  retryAfter(key: string, limit: RateLimit, now: number): Promise<number>;
  /** Counts one event for `key`. */
  hit(key: string, limit: RateLimit, now: number): Promise<void>;
  /** Forgets `key` (after a successful login). */
  reset(key: string): Promise<void>;
}

/** An in-memory {@link RateLimiter}; windows are pruned as the map grows. */
export function createMemoryRateLimiter(options: { maxKeys?: number } = {}): RateLimiter {
  const windows = new Map<string, { count: number; resetAt: number }>();
  const maxKeys = options.maxKeys ?? 100_000;
  const prune = (now: number) => {
    for (const [k, w] of windows) if (w.resetAt <= now) windows.delete(k);
    // Still full: drop the oldest entries (Map keeps insertion order).
    for (const k of windows.keys()) {
      if (windows.size < maxKeys) break;
      windows.delete(k);
    }
  };
  return {
    async retryAfter(key, limit, now) {
      const w = windows.get(key);
      if (!w || w.resetAt <= now || w.count < limit.max) return 0;
      return Math.max(1, Math.ceil((w.resetAt - now) / 1000));
    },
    async hit(key, limit, now) {
      const w = windows.get(key);
      if (!w || w.resetAt <= now) {
        if (windows.size >= maxKeys) prune(now);
        windows.set(key, { count: 1, resetAt: now + limit.windowSec * 1000 });
      } else {
        w.count++;
      }
    },
    async reset(key) {
      windows.delete(key);
    },
  };
}
