/** @module Log-pattern readiness: reads the pod log until a line matches the template's pattern. */
import { AppError } from "@calipso/core";
import type { CoreV1Api } from "@kubernetes/client-node";
import { isNotFound, mapKubeError } from "./errors.ts";

export async function waitForLogPattern(options: { core: CoreV1Api; namespace: string; name: string; pattern: string; signal: AbortSignal; intervalMs?: number }): Promise<void> {
  let regex: RegExp;
  try {
    regex = new RegExp(options.pattern, "m");
  } catch (cause) {
    throw new AppError("INVALID_CONFIG", { provider: "kubernetes", detail: `Readiness log pattern is not a valid regular expression`, cause });
  }
  for (;;) {
    options.signal.throwIfAborted();
    try {
      const log = await options.core.readNamespacedPodLog({ name: options.name, namespace: options.namespace, tailLines: 1000 });
      if (regex.test(String(log))) return;
    } catch (error) {
      if (!isNotFound(error)) throw mapKubeError(error, "get pods/log", options.namespace);
    }
    await new Promise<void>((resolve, reject) => {
      const t = setTimeout(resolve, options.intervalMs ?? 500);
      options.signal.addEventListener("abort", () => (clearTimeout(t), reject(options.signal.reason)), { once: true });
    });
  }
}
