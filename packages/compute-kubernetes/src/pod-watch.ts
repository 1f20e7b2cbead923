/**
 * @module Waits for a pod to become Ready through a watch (resumed from the last resourceVersion
 * after a disconnect), reporting progress from the pod's Events, and failing fast on a failed
 * pod or an image that can't be pulled.
 */
import { AppError, type ComputeProgress } from "@calipso/core";
import type { V1Pod, CoreV1Event } from "@kubernetes/client-node";
import type { KubeClient } from "./client.ts";
import { mapKubeError } from "./errors.ts";

const PULL_FAILURES = new Set(["ErrImagePull", "ImagePullBackOff", "InvalidImageName", "ErrImageNeverPull"]);
const CONFIG_FAILURES = new Set(["CreateContainerConfigError", "CreateContainerError", "RunContainerError"]);

export function isPodReady(pod: V1Pod): boolean {
  return pod.status?.phase === "Running" && (pod.status.conditions ?? []).some((c) => c.type === "Ready" && c.status === "True");
}

/** Why a pod can't start, or `undefined` while it still may. */
export function podFailure(pod: V1Pod): string | undefined {
  if (pod.status?.phase === "Failed" || pod.status?.phase === "Succeeded") {
    const term = pod.status.containerStatuses?.[0]?.state?.terminated;
    return `the pod ${pod.status.phase === "Failed" ? "failed" : "exited"}${term ? ` (exit code ${term.exitCode}${term.reason ? `, ${term.reason}` : ""})` : ""}${pod.status.reason ? `: ${pod.status.reason}` : ""}`;
  }
  for (const cs of pod.status?.containerStatuses ?? []) {
    const w = cs.state?.waiting;
    if (w?.reason && PULL_FAILURES.has(w.reason)) return `the image can't be pulled (${w.reason}${w.message ? `: ${w.message}` : ""})`;
    if (w?.reason && CONFIG_FAILURES.has(w.reason)) return `the container can't be created (${w.reason}${w.message ? `: ${w.message}` : ""})`;
  }
  return undefined;
}

function progressOf(event: CoreV1Event): ComputeProgress | undefined {
  const message = event.message ?? event.reason ?? "";
  switch (event.reason) {
    case "Scheduled":
      return { step: "schedule", message, percent: 25 };
    case "Pulling":
    case "Pulled":
      return { step: "pull", message, percent: event.reason === "Pulled" ? 60 : 40 };
    case "Created":
    case "Started":
      return { step: "start", message, percent: 80 };
    default:
      return event.type === "Warning" ? { step: "info", message } : undefined;
  }
}

interface WaitOptions {
  readonly client: KubeClient;
  readonly namespace: string;
  readonly name: string;
  /** resourceVersion of the created pod: the watch starts there, so no change is missed. */
  readonly resourceVersion: string;
  readonly signal: AbortSignal;
  readonly onProgress?: (p: ComputeProgress) => void;
}

/** Resolves with the Ready pod; rejects with an AppError, or with `signal.reason` on abort. */
export function waitForPodReady(options: WaitOptions): Promise<V1Pod> {
  const { client, namespace, name, signal } = options;
  const podsPath = `/api/v1/namespaces/${namespace}/pods`;
  const eventsPath = `/api/v1/namespaces/${namespace}/events`;
  return new Promise<V1Pod>((resolve, reject) => {
    let settled = false;
    let podRv = options.resourceVersion;
    let eventRv = options.resourceVersion;
    let reconnects = 0;
    const controllers = new Set<AbortController>();
    const finish = (fn: () => void) => {
      if (settled) return;
      settled = true;
      signal.removeEventListener("abort", onAbort);
      for (const c of controllers) c.abort();
      fn();
    };
    const onAbort = () => finish(() => reject(signal.reason));
    signal.addEventListener("abort", onAbort, { once: true });
    if (signal.aborted) return onAbort();

    const onPod = (pod: V1Pod) => {
      if (pod.metadata?.resourceVersion) podRv = pod.metadata.resourceVersion;
      const failure = podFailure(pod);
      if (failure) return finish(() => reject(new AppError("PROVIDER_ERROR", { provider: "kubernetes", detail: `Workload ${name}: ${failure}` })));
      if (isPodReady(pod)) void flushEvents().finally(() => finish(() => resolve(pod)));
    };

    // Events are reported once each; before resolving, the ones the watch has not delivered yet
    // (both streams race) are read with a list so that progress is complete.
    const seen = new Set<string>();
    const report = (ev: CoreV1Event) => {
      const key = ev.metadata?.uid ?? ev.metadata?.name ?? "";
      if (seen.has(key)) return;
      seen.add(key);
      const p = progressOf(ev);
      if (p) options.onProgress!(p);
    };
    const flushEvents = async (): Promise<void> => {
      if (!options.onProgress) return;
      try {
        const list = await client.core.listNamespacedEvent({ namespace, fieldSelector: `involvedObject.name=${name}` });
        for (const ev of list.items) if (!settled) report(ev);
      } catch {
        // Progress is best effort.
      }
    };

    const watchPods = async (): Promise<void> => {
      if (settled) return;
      try {
        const c = await client.watch.watch(
          podsPath,
          { fieldSelector: `metadata.name=${name}`, resourceVersion: podRv, allowWatchBookmarks: true },
          (type: string, obj: unknown) => {
            if (type === "ERROR") return void resync();
            if (type === "DELETED") return finish(() => reject(new AppError("PROVIDER_ERROR", { provider: "kubernetes", detail: `Workload ${name}: the pod was deleted while starting` })));
            if (type === "BOOKMARK") podRv = (obj as V1Pod).metadata?.resourceVersion ?? podRv;
            else onPod(obj as V1Pod);
          },
          () => void reconnect(),
        );
        controllers.add(c);
        if (settled) c.abort();
      } catch (error) {
        void reconnect(error);
      }
    };

    // A watch that ended (disconnect) is resumed from the last resourceVersion it delivered.
    const reconnect = async (error?: unknown): Promise<void> => {
      if (settled) return;
      if (++reconnects > 20) return finish(() => reject(mapKubeError(error ?? new Error("watch keeps disconnecting"), "watch pods", namespace)));
      await new Promise((r) => setTimeout(r, Math.min(1000, 20 * reconnects)));
      await watchPods();
    };

    // 410 Gone: our resourceVersion is too old; read the pod again and watch from its version.
    const resync = async (): Promise<void> => {
      try {
        const pod = await client.core.readNamespacedPod({ name, namespace });
        onPod(pod);
      } catch (error) {
        return finish(() => reject(mapKubeError(error, "get pods", namespace)));
      }
    };

    const watchEvents = async (): Promise<void> => {
      if (!options.onProgress || settled) return;
      try {
        const c = await client.watch.watch(
          eventsPath,
          { fieldSelector: `involvedObject.name=${name}`, resourceVersion: eventRv },
          (type: string, obj: unknown) => {
            const ev = obj as CoreV1Event;
            if (type !== "ADDED" || settled) return;
            eventRv = ev.metadata?.resourceVersion ?? eventRv;
            report(ev);
          },
          () => {
            if (!settled) setTimeout(() => void watchEvents(), 50);
          },
        );
        controllers.add(c);
        if (settled) c.abort();
      } catch {
        // Progress is best effort; readiness is what matters.
      }
    };

    void watchPods();
    void watchEvents();
  });
}
