/** @module From a loaded configuration to a running `Calipso`: instantiate every provider, then `createCalipso`. */
import { mkdirSync } from "node:fs";
import { isAbsolute, resolve } from "node:path";
import { createCalipso, createSecrets, instantiate } from "@calipso/core";
import type { AuthProvider, Calipso, ComputeBackend, ExperimentSource, Logger, ProviderContext, RemoteDesktop, Secrets, Store } from "@calipso/core";
import type { LoadedConfig } from "./config/load.ts";

/** A Calipso and the providers behind it (the host closes the store). */
export interface BuiltCalipso {
  readonly calipso: Calipso;
  readonly store: Store;
  readonly auth: AuthProvider;
  readonly experiments: ExperimentSource;
  readonly compute: Readonly<Record<string, ComputeBackend>>;
  readonly desktop?: RemoteDesktop;
  readonly secrets: Secrets;
  /** Stops background work, disposes providers, closes the store. Idempotent. */
  close(): Promise<void>;
}

export interface BuildOptions {
  readonly logger: Logger;
  readonly signal?: AbortSignal;
  /** Wraps each compute backend (metrics). */
  readonly instrument?: (name: string, backend: ComputeBackend) => ComputeBackend;
  /** Called with the store as soon as it exists (metrics read it). */
  readonly onStore?: (store: Store) => void;
}

/** Absolute path of a configured path, relative to the config file's folder. */
export function absolutePath(baseDir: string, path: string): string {
  return isAbsolute(path) ? resolve(path) : resolve(baseDir, path);
}

/** Provider context for one provider instance. */
export function providerContext(logger: Logger, secrets: Secrets, signal: AbortSignal): ProviderContext {
  return { logger, fetch: globalThis.fetch.bind(globalThis), signal, now: () => new Date(), secrets };
}

/** Instantiates the store alone (for `migrate` and `import`). */
export async function buildStore(loaded: LoadedConfig, logger: Logger, signal: AbortSignal = new AbortController().signal): Promise<{ store: Store; secrets: Secrets }> {
  const secrets = await createSecrets(loaded.config.secretKey);
  const store = await instantiate(loaded.providers.store, loaded.config.store.config ?? {}, providerContext(logger, secrets, signal), { path: "store.config" });
  return { store, secrets };
}

/** Builds Calipso from a configuration; on any failure, what was created is closed again. */
export async function buildCalipso(loaded: LoadedConfig, options: BuildOptions): Promise<BuiltCalipso> {
  const { config, providers, baseDir } = loaded;
  const signal = options.signal ?? new AbortController().signal;
  const { store, secrets } = await buildStore(loaded, options.logger, signal);
  const created: { dispose?: () => Promise<void> }[] = [];
  try {
    options.onStore?.(store);
    const ctx = providerContext(options.logger, secrets, signal);
    const auth = await instantiate(providers.auth, config.auth.config ?? {}, ctx, { path: "auth.config" });
    created.push(auth);
    const experiments = await instantiate(providers.experiments, config.experiments.config ?? {}, ctx, { path: "experiments.config" });
    created.push(experiments);
    const compute: Record<string, ComputeBackend> = {};
    for (const [name, def] of Object.entries(providers.compute)) {
      const backend = await instantiate(def, config.compute[name]!.config ?? {}, ctx, { path: `compute.${name}.config` });
      created.push(backend);
      compute[name] = options.instrument ? options.instrument(name, backend) : backend;
    }
    const desktop = providers.desktop ? await instantiate(providers.desktop, config.desktop?.config ?? {}, ctx, { path: "desktop.config" }) : undefined;
    if (desktop) created.push(desktop);
    const m = config.mounts;
    const mounts = {
      dataRoot: absolutePath(baseDir, m.dataRoot),
      outputRoot: absolutePath(baseDir, m.outputRoot),
      ...(m.homeRoot ? { homeRoot: absolutePath(baseDir, m.homeRoot) } : {}),
      ...(m.dataTarget ? { dataTarget: m.dataTarget } : {}),
      ...(m.outputTarget ? { outputTarget: m.outputTarget } : {}),
      ...(m.homeTarget ? { homeTarget: m.homeTarget } : {}),
    };
    mkdirSync(mounts.outputRoot, { recursive: true });
    const calipso = createCalipso({
      store,
      auth,
      experiments: { name: config.experiments.name, source: experiments, cacheTtlSec: config.experiments.cacheTtlSec },
      compute,
      ...(desktop ? { desktop } : {}),
      secrets,
      mounts,
      quota: config.quota,
      templates: config.templates,
      ...(config.defaultPosix ? { defaultPosix: config.defaultPosix } : {}),
      sessions: { ttlSec: config.server.sessionTtlSec, cacheSec: config.server.sessionCacheSec },
      deploymentId: config.deploymentId,
      logger: options.logger,
    });
    await calipso.init();
    let closing: Promise<void> | undefined;
    return {
      calipso,
      store,
      auth,
      experiments,
      compute,
      ...(desktop ? { desktop } : {}),
      secrets,
      close: () =>
        (closing ??= (async () => {
          await calipso.dispose();
          await store.close();
        })()),
    };
  } catch (error) {
    await Promise.allSettled(created.map((p) => p.dispose?.()));
    await store.close().catch(() => undefined);
    throw error;
  }
}
