/**
 * @module The example compute backend: start = create + poll until running (with progress, a
 * deadline and abort), status/stop/list map 1:1 to the API. Whatever a failed or aborted start
 * created is removed before it rejects. The handle is plain JSON: any instance can use it.
 */
import { AppError } from "@calipso/core";
import type { ComputeBackend, ComputeHandle, ComputeStatus, ProviderContext, WorkloadSpec } from "@calipso/core";
import { createWorkloadApi } from "./api-client.ts";
import type { RemoteWorkload, WorkloadApi } from "./api-client.ts";
import type { ExampleBatchConfig } from "./config.ts";

const PROVIDER = "example-batch";

/** Waits `ms`, or rejects with the signal's reason as soon as it aborts. */
function sleep(ms: number, signal: AbortSignal): Promise<void> {
  return new Promise((resolve, reject) => {
    if (signal.aborted) return reject(signal.reason);
    const onAbort = () => {
      clearTimeout(timer);
      reject(signal.reason);
    };
    const timer = setTimeout(() => {
      signal.removeEventListener("abort", onAbort);
      resolve();
    }, ms);
    signal.addEventListener("abort", onAbort, { once: true });
  });
}

function handleOf(w: RemoteWorkload, spec?: WorkloadSpec): ComputeHandle {
  return { backend: PROVIDER, id: w.id, state: spec ? { name: spec.name } : {} };
}

function checkSpec(spec: WorkloadSpec): void {
  if (spec.user.uid === 0 && !spec.allowRoot) {
    throw new AppError("FORBIDDEN", { detail: "The workload would run as root, which its template does not allow", provider: PROVIDER });
  }
  if ("file" in spec.secret) {
    throw new AppError("UNSUPPORTED", { detail: "This backend delivers the desktop secret by environment variable only", provider: PROVIDER });
  }
}

/** Creates the backend from a parsed config. */
export function createExampleBatchBackend(config: ExampleBatchConfig, ctx: ProviderContext, api: WorkloadApi = createWorkloadApi(config, ctx)): ComputeBackend {
  /** Removes everything that carries the spec's labels (used when an aborted create left no id). */
  async function removeByLabels(spec: WorkloadSpec): Promise<void> {
    const left = await api.list(spec.labels).catch(() => []);
    await Promise.allSettled(left.map((w) => api.remove(w.id)));
  }

  return {
    async start(spec, { signal, onProgress }) {
      signal.throwIfAborted();
      checkSpec(spec);
      const deadline = ctx.now().getTime() + spec.timeoutSec * 1000;
      let created: RemoteWorkload | undefined;
      try {
        onProgress?.({ step: "create", message: `Creating workload ${spec.name}`, percent: 5 });
        created = await api.create(
          {
            name: spec.name,
            image: spec.image,
            ...(spec.command ? { command: spec.command } : {}),
            env: { ...spec.env, ...("env" in spec.secret ? { [spec.secret.env]: spec.secret.value } : {}) },
            cpu: spec.resources.cpu,
            memoryMiB: spec.resources.memoryMiB,
            uid: spec.user.uid,
            gid: spec.user.gid,
            port: spec.port.container,
            protocol: spec.port.protocol,
            labels: spec.labels,
          },
          signal,
        );
        for (;;) {
          signal.throwIfAborted();
          const w = await api.get(created.id, signal);
          if (!w) throw new AppError("PROVIDER_ERROR", { detail: "The workload disappeared while it started", provider: PROVIDER });
          if (w.state === "running" && w.host && w.port) {
            onProgress?.({ step: "ready", message: "Workload is running", percent: 100 });
            return { handle: handleOf(w, spec), endpoint: { host: w.host, port: w.port, protocol: w.protocol } };
          }
          if (w.state === "exited" || w.state === "failed") {
            throw new AppError("PROVIDER_ERROR", { detail: `The workload ${w.state} before it was ready${w.reason ? `: ${w.reason}` : ""}`, provider: PROVIDER });
          }
          if (ctx.now().getTime() > deadline) {
            throw new AppError("PROVIDER_TIMEOUT", { detail: `The workload was not running after ${spec.timeoutSec} s`, provider: PROVIDER });
          }
          onProgress?.({ step: "schedule", message: "Waiting for the workload to run", percent: 50 });
          await sleep(config.pollIntervalMs, signal);
        }
      } catch (error) {
        // Compensate before rejecting: nothing may outlive a failed or aborted start.
        if (created) await api.remove(created.id).catch((e: unknown) => ctx.logger.warn("clean-up failed", { id: created?.id, error: String(e) }));
        else if (signal.aborted) await removeByLabels(spec);
        throw error;
      }
    },

    async status(handle): Promise<ComputeStatus> {
      const w = await api.get(handle.id);
      if (!w) return { state: "stopped" }; // The kit's rule: a workload that does not exist is stopped.
      switch (w.state) {
        case "pending":
          return { state: "pending" };
        case "running":
          return w.host && w.port ? { state: "running", endpoint: { host: w.host, port: w.port, protocol: w.protocol } } : { state: "pending" };
        case "exited":
          return w.exitCode === undefined ? { state: "stopped" } : { state: "stopped", exitCode: w.exitCode };
        case "failed":
          return { state: "failed", reason: w.reason ?? "failed" };
      }
    },

    async stop(handle) {
      await api.remove(handle.id); // 404 is fine: stop is idempotent.
    },

    async list(selector) {
      const items = await api.list(selector);
      return items.map((w) => ({ handle: handleOf(w), labels: w.labels }));
    },
  };
}
