/**
 * @module The Kubernetes compute backend: one Pod, one Service and one Secret per workload, with
 * readiness from a watch, and nothing left behind when a start fails or is aborted.
 */
import { AppError, type ComputeBackend, type ComputeHandle, type ComputeStatus, type Endpoint, type ListedWorkload, type ProviderContext } from "@calipso/core";
import { defineComputeBackend } from "@calipso/sdk";
import type { V1Pod, V1Service } from "@kubernetes/client-node";
import { createKubeClient, type KubeClient } from "./client.ts";
import { KubernetesConfigSchema, type KubernetesConfig } from "./config.ts";
import { isNotFound, mapKubeError } from "./errors.ts";
import { buildPod, buildSecret, buildService, MANAGED_LABEL } from "./manifests.ts";
import { isPodReady, podFailure, waitForPodReady } from "./pod-watch.ts";
import { waitForLogPattern } from "./pod-logs.ts";

interface HandleState {
  namespace: string;
  pod: string;
  service: string;
  secret: string;
  port: number;
  protocol: Endpoint["protocol"];
  [key: string]: string | number;
}

function stateOf(handle: ComputeHandle): HandleState {
  const s = handle.state as Partial<HandleState>;
  if (typeof s.namespace !== "string" || typeof s.pod !== "string" || typeof s.port !== "number") {
    throw new AppError("NOT_FOUND", { provider: "kubernetes", detail: `Handle ${handle.id} is not a Kubernetes workload handle` });
  }
  return { service: s.pod, secret: `${s.pod}-secret`, protocol: "vnc", ...s } as HandleState;
}

function endpointOf(config: KubernetesConfig, service: V1Service, state: Pick<HandleState, "namespace" | "service" | "port" | "protocol">): Endpoint {
  if (config.service.type === "NodePort") {
    const nodePort = service.spec?.ports?.[0]?.nodePort;
    if (!nodePort) throw new AppError("PROVIDER_ERROR", { provider: "kubernetes", detail: `Service ${state.service} has no node port` });
    return { host: config.service.nodeAddress!, port: nodePort, protocol: state.protocol };
  }
  return { host: `${state.service}.${state.namespace}.svc`, port: state.port, protocol: state.protocol };
}

/** Creates the backend instance (exported for embedding without the definition). */
export function createKubernetesBackend(config: KubernetesConfig, ctx: Pick<ProviderContext, "logger">, client: KubeClient = createKubeClient(config)): ComputeBackend {
  const ns = config.namespace;
  const { core } = client;

  async function remove(state: Pick<HandleState, "pod" | "service" | "secret">): Promise<void> {
    const attempts: [string, () => Promise<unknown>][] = [
      ["delete pods", () => core.deleteNamespacedPod({ name: state.pod, namespace: ns, gracePeriodSeconds: 5 })],
      ["delete services", () => core.deleteNamespacedService({ name: state.service, namespace: ns })],
      ["delete secrets", () => core.deleteNamespacedSecret({ name: state.secret, namespace: ns })],
    ];
    for (const [action, run] of attempts) {
      try {
        await run();
      } catch (error) {
        if (!isNotFound(error)) throw mapKubeError(error, action, ns);
      }
    }
  }

  return {
    async start(spec, { signal, onProgress }) {
      const podManifest = buildPod(spec, config); // refuses root and unmapped volumes before anything exists
      const state: HandleState = { namespace: ns, pod: spec.name, service: spec.name, secret: `${spec.name}-secret`, port: spec.port.container, protocol: spec.port.protocol };
      const deadline = AbortSignal.timeout(spec.timeoutSec * 1000);
      const both = AbortSignal.any([signal, deadline]);
      let created = false;
      try {
        signal.throwIfAborted();
        onProgress?.({ step: "create", message: `Creating pod ${spec.name} in ${ns}`, percent: 5 });
        let pod: V1Pod;
        try {
          pod = await core.createNamespacedPod({ namespace: ns, body: podManifest });
        } catch (error) {
          throw mapKubeError(error, "create pods", ns);
        }
        created = true;
        try {
          await core.createNamespacedSecret({ namespace: ns, body: buildSecret(spec, config, pod) });
        } catch (error) {
          throw mapKubeError(error, "create secrets", ns);
        }
        let service: V1Service;
        try {
          service = await core.createNamespacedService({ namespace: ns, body: buildService(spec, config, pod) });
        } catch (error) {
          throw mapKubeError(error, "create services", ns);
        }
        both.throwIfAborted();
        const ready = await waitForPodReady({ client, namespace: ns, name: spec.name, resourceVersion: pod.metadata?.resourceVersion ?? "0", signal: both, ...(onProgress ? { onProgress } : {}) });
        if ("log" in spec.readiness) await waitForLogPattern({ core, namespace: ns, name: spec.name, pattern: spec.readiness.log, signal: both });
        onProgress?.({ step: "ready", message: `Pod ${spec.name} is ready`, percent: 100 });
        const handle: ComputeHandle = { backend: "kubernetes", id: ready.metadata?.uid ?? spec.name, state };
        return { handle, endpoint: endpointOf(config, service, state) };
      } catch (error) {
        if (created) {
          await remove(state).catch((cleanup: unknown) => ctx.logger.error("cleanup after a failed start failed", { pod: spec.name, error: String(cleanup) }));
        }
        if (signal.aborted) throw signal.reason;
        if (deadline.aborted) {
          throw new AppError("PROVIDER_TIMEOUT", { provider: "kubernetes", detail: `Pod ${spec.name} was not ready within ${spec.timeoutSec} s`, cause: error });
        }
        throw mapKubeError(error, "start pods", ns);
      }
    },

    async status(handle): Promise<ComputeStatus> {
      const state = stateOf(handle);
      let pod: V1Pod;
      try {
        pod = await core.readNamespacedPod({ name: state.pod, namespace: ns });
      } catch (error) {
        if (isNotFound(error)) return { state: "stopped" };
        throw mapKubeError(error, "get pods", ns);
      }
      const failure = podFailure(pod);
      if (pod.status?.phase === "Succeeded") return { state: "stopped", exitCode: pod.status.containerStatuses?.[0]?.state?.terminated?.exitCode ?? 0 };
      if (failure) return { state: "failed", reason: failure };
      if (!isPodReady(pod)) return { state: "pending" };
      try {
        const service = await core.readNamespacedService({ name: state.service, namespace: ns });
        return { state: "running", endpoint: endpointOf(config, service, state) };
      } catch (error) {
        if (isNotFound(error)) return { state: "failed", reason: `the service ${state.service} is gone` };
        throw mapKubeError(error, "get services", ns);
      }
    },

    async stop(handle) {
      await remove(stateOf(handle));
    },

    async list(selector): Promise<readonly ListedWorkload[]> {
      const labelSelector = [`${MANAGED_LABEL}=true`, ...Object.entries(selector).map(([k, v]) => `${k}=${v}`)].join(",");
      try {
        const pods = await core.listNamespacedPod({ namespace: ns, labelSelector });
        return pods.items.map((pod) => {
          const name = pod.metadata!.name!;
          const port = pod.spec?.containers[0]?.ports?.[0]?.containerPort ?? 0;
          return {
            handle: { backend: "kubernetes", id: pod.metadata?.uid ?? name, state: { namespace: ns, pod: name, service: name, secret: `${name}-secret`, port, protocol: "vnc" } },
            labels: { ...(pod.metadata?.labels ?? {}) },
          };
        });
      } catch (error) {
        throw mapKubeError(error, "list pods", ns);
      }
    },

    async dispose() {},
  };
}

/** The `kubernetes` compute backend definition. */
export const kubernetesBackend = defineComputeBackend({
  name: "kubernetes",
  description: "Pods on a Kubernetes cluster, with limits, identity and experiment volumes",
  configSchema: KubernetesConfigSchema,
  capabilities: { progress: true, resourceLimits: ["cpu", "memory", "storage"], readiness: ["tcp", "http", "log"] },
  create: (config, ctx) => createKubernetesBackend(config, ctx),
});
