/** @module `calipso check`: instantiate and probe every configured provider, and say in words what is wrong. */
import { instantiate, isAppError } from "@calipso/core";
import type { Logger } from "@calipso/core";
import { buildStore, providerContext } from "./build.ts";
import type { LoadedConfig } from "./config/load.ts";

/** The outcome of one probe. */
export interface CheckResult {
  readonly slot: string;
  readonly provider: string;
  readonly ok: boolean;
  readonly message: string;
}

/** An error in words for an operator: the client-safe detail, then the messages of its causes. */
export function explain(error: unknown): string {
  if (isAppError(error)) {
    const causes: string[] = [];
    let c: unknown = error.cause;
    for (let i = 0; c instanceof Error && i < 3; i++, c = c.cause) if (c.message) causes.push(c.message);
    return [error.detail ?? error.message, ...causes].join(" — ");
  }
  return error instanceof Error ? error.message : String(error);
}

async function probe(slot: string, provider: string, fn: () => Promise<string>): Promise<CheckResult> {
  try {
    return { slot, provider, ok: true, message: await fn() };
  } catch (error) {
    return { slot, provider, ok: false, message: explain(error) };
  }
}

/** Probes every provider of a configuration; never throws. */
export async function checkConfig(loaded: LoadedConfig, logger: Logger): Promise<CheckResult[]> {
  const { config, providers } = loaded;
  const signal = AbortSignal.timeout(30_000);
  const results: CheckResult[] = [];
  let secrets;
  const store = await probe("store", config.store.provider, async () => {
    const built = await buildStore(loaded, logger, signal);
    secrets = built.secrets;
    try {
      await built.store.ping();
      return "reachable, schema in place";
    } finally {
      await built.store.close();
    }
  });
  results.push(store);
  if (!secrets) {
    const { createSecrets } = await import("@calipso/core");
    secrets = await createSecrets(config.secretKey).catch(() => undefined);
  }
  if (!secrets) return results;
  const ctx = providerContext(logger, secrets, signal);
  results.push(
    await probe("auth", config.auth.provider, async () => {
      const auth = await instantiate(providers.auth, config.auth.config ?? {}, ctx, { path: "auth.config" });
      await auth.dispose?.();
      const caps = Object.entries(providers.auth.capabilities).filter(([, v]) => v).map(([k]) => k);
      return `configured (${caps.join(", ") || "no login method declared"})`;
    }),
  );
  results.push(
    await probe("experiments", config.experiments.provider, async () => {
      const source = await instantiate(providers.experiments, config.experiments.config ?? {}, ctx, { path: "experiments.config" });
      try {
        await source.get("calipso-check-probe", { signal });
        return "answers";
      } finally {
        await source.dispose?.();
      }
    }),
  );
  for (const [name, def] of Object.entries(providers.compute)) {
    results.push(
      await probe(`compute.${name}`, config.compute[name]!.provider, async () => {
        const backend = await instantiate(def, config.compute[name]!.config ?? {}, ctx, { path: `compute.${name}.config` });
        try {
          const listed = await backend.list({ "calipso.deployment": config.deploymentId });
          return `reachable, ${listed.length} workload(s) of this deployment`;
        } finally {
          await backend.dispose?.();
        }
      }),
    );
  }
  if (providers.desktop && config.desktop) {
    const def = providers.desktop;
    results.push(
      await probe("desktop", config.desktop.provider, async () => {
        const desktop = await instantiate(def, config.desktop!.config ?? {}, ctx, { path: "desktop.config" });
        try {
          if (desktop.list) return `reachable, ${(await desktop.list()).length} registration(s)`;
          return "configured (cannot be probed: no list capability)";
        } finally {
          await desktop.dispose?.();
        }
      }),
    );
  }
  return results;
}

/** Human-readable report lines. */
export function formatCheck(results: readonly CheckResult[]): string {
  return results.map((r) => `${r.ok ? "ok  " : "FAIL"} ${r.slot} (${r.provider}): ${r.message}`).join("\n");
}
