/** @module The background loop: `reconcile()` and `reap()` at configured intervals, never overlapping. */
import type { Calipso, Logger } from "@calipso/core";

export interface BackgroundLoop {
  stop(): void;
  /** Resolves when no run is in progress. */
  idle(): Promise<void>;
}

export function startBackgroundLoop(
  calipso: Calipso,
  intervals: { reconcileIntervalSec: number; reapIntervalSec: number },
  logger: Logger,
  holder: string,
): BackgroundLoop {
  const timers: NodeJS.Timeout[] = [];
  const running = new Set<Promise<void>>();
  let stopped = false;
  const every = (name: "reconcile" | "reap", sec: number) => {
    if (sec <= 0) return;
    let busy = false;
    const t = setInterval(() => {
      if (busy || stopped) return;
      busy = true;
      const run = (async () => {
        try {
          const report = await calipso[name]({ holder });
          const changed = Object.entries(report).some(([k, v]) => k !== "skipped" && typeof v === "number" && v > 0);
          if (changed) logger.info(`${name} changed state`, { report });
          else logger.debug(`${name} done`, { report });
        } catch (error) {
          logger.error(`${name} failed`, { err: error instanceof Error ? { name: error.name, message: error.message } : String(error) });
        } finally {
          busy = false;
        }
      })();
      running.add(run);
      void run.finally(() => running.delete(run));
    }, sec * 1000);
    t.unref();
    timers.push(t);
  };
  every("reconcile", intervals.reconcileIntervalSec);
  every("reap", intervals.reapIntervalSec);
  return {
    stop() {
      stopped = true;
      for (const t of timers) clearInterval(t);
    },
    async idle() {
      await Promise.allSettled([...running]);
    },
  };
}
