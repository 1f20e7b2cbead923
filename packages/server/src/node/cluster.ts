/**
 * @module `server.workers > 1`: the primary process forks that many workers (node:cluster), which
 * share the listening port; each worker is a complete server. Only stores shared between processes
 * (capability `multiProcess`, e.g. mysql) are allowed: quota admission and background leases then
 * hold across workers. Login rate limits and metrics are per worker.
 */
import cluster from "node:cluster";
import type { Worker } from "node:cluster";
import { AppError } from "@calipso/core";
import type { Logger } from "@calipso/core";
import type { LoadedConfig } from "./config/load.ts";

/** What `serve` returns: where it listens and how to stop it. */
export interface Serving {
  readonly url: string;
  close(): Promise<void>;
}

/** Refuses a multi-worker configuration whose store is not shared between processes. */
export function checkWorkers(loaded: LoadedConfig): void {
  if (loaded.config.server.workers > 1 && !loaded.providers.store.capabilities.multiProcess) {
    throw new AppError("INVALID_CONFIG", {
      detail: `server.workers: ${loaded.config.server.workers} workers need a store shared between processes (mysql); '${loaded.config.store.provider}' is single-process`,
    });
  }
}

/** Forks the workers (re-running this CLI with the same arguments) and resolves when all listen. */
export async function startCluster(loaded: LoadedConfig, logger: Logger): Promise<Serving> {
  checkWorkers(loaded);
  const count = loaded.config.server.workers;
  cluster.setupPrimary({ execArgv: process.execArgv, args: process.argv.slice(2) });
  const workers: Worker[] = [];
  const listening: Promise<string>[] = [];
  for (let i = 0; i < count; i++) {
    const worker = cluster.fork();
    workers.push(worker);
    listening.push(
      new Promise((resolve, reject) => {
        worker.once("listening", (address) => resolve(`http://${address.address ?? "127.0.0.1"}:${address.port}`));
        worker.once("exit", (code) => reject(new AppError("INTERNAL", { detail: `worker ${worker.process.pid} exited with ${code} before listening` })));
      }),
    );
  }
  let url: string;
  try {
    url = (await Promise.all(listening))[0]!;
  } catch (error) {
    for (const w of workers) w.process.kill("SIGTERM");
    throw error;
  }
  logger.info("workers listening", { workers: count, url });
  let closing: Promise<void> | undefined;
  return {
    url,
    close: () =>
      (closing ??= Promise.all(
        workers.map(
          (w) =>
            new Promise<void>((resolve) => {
              if (w.isDead()) return resolve();
              w.once("exit", () => resolve());
              w.process.kill("SIGTERM");
            }),
        ),
      ).then(() => undefined)),
  };
}

/** Whether this process is a forked worker. */
export function isClusterWorker(): boolean {
  return cluster.isWorker;
}
