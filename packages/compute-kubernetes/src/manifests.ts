/** @module Pure builders of the Pod, Service and Secret of one workload. */
import { AppError, type WorkloadMount, type WorkloadSpec } from "@calipso/core";
import type { V1Pod, V1Secret, V1Service, V1Volume, V1VolumeMount, V1Probe, V1EnvVar, V1Toleration } from "@kubernetes/client-node";
import type { KubernetesConfig, VolumeSource } from "./config.ts";

export const MANAGED_LABEL = "calipso.managed";
const SECRET_KEY = "desktop-secret";

/** Kubernetes label values: 63 chars of `[A-Za-z0-9._-]`, alphanumeric at both ends. */
export function labelValue(value: string): string {
  const cleaned = value.replace(/[^A-Za-z0-9._-]/g, "_").slice(0, 63).replace(/^[^A-Za-z0-9]+|[^A-Za-z0-9]+$/g, "");
  return cleaned || "x";
}

/** Kubernetes label keys allow one `/`-prefix; ours are `calipso.<word>`, valid as they are. */
export function toLabels(labels: Readonly<Record<string, string>>): Record<string, string> {
  const out: Record<string, string> = { [MANAGED_LABEL]: "true" };
  for (const [k, v] of Object.entries(labels)) out[k] = labelValue(v);
  return out;
}

/** `cpu` cores → Kubernetes quantity in millicores. */
export function cpuQuantity(cpu: number): string {
  return `${Math.max(1, Math.round(cpu * 1000))}m`;
}

function volumeFor(source: VolumeSource | undefined, mount: WorkloadMount, index: number): { volume: V1Volume; subPath: string } {
  const name = `${mount.kind}-${index}`;
  if (!source) {
    throw new AppError("INVALID_CONFIG", {
      provider: "kubernetes",
      detail: `No volume source is configured for the ${mount.volume} root (volumes.${mount.volume}); the ${mount.kind} mount ${mount.target} cannot be provided`,
    });
  }
  if ("pvc" in source) return { volume: { name, persistentVolumeClaim: { claimName: source.pvc.claimName, readOnly: mount.readOnly } }, subPath: mount.subPath };
  if ("nfs" in source) return { volume: { name, nfs: { server: source.nfs.server, path: source.nfs.path, readOnly: mount.readOnly } }, subPath: mount.subPath };
  const base = source.hostPath.path;
  const path = base ? `${base.replace(/\/+$/, "")}/${mount.subPath}`.replace(/\/+$/, "") || "/" : mount.hostPath;
  return { volume: { name, hostPath: { path, type: mount.readOnly ? "Directory" : "DirectoryOrCreate" } }, subPath: "" };
}

function probeFor(spec: WorkloadSpec): V1Probe | undefined {
  const r = spec.readiness;
  const base = { periodSeconds: 1, failureThreshold: Math.max(1, spec.timeoutSec) };
  if ("tcp" in r) return { ...base, tcpSocket: { port: spec.port.container } };
  if ("http" in r) return { ...base, httpGet: { path: r.http, port: spec.port.container } };
  return undefined; // log readiness is checked by the adapter on the pod log
}

/** The Pod of a workload: limits = requests, non-root, no privilege escalation, capabilities dropped. */
export function buildPod(spec: WorkloadSpec, config: KubernetesConfig): V1Pod {
  if (spec.user.uid === 0 && !spec.allowRoot) {
    throw new AppError("FORBIDDEN", { provider: "kubernetes", detail: "The workload would run as root (uid 0), which its template does not allow" });
  }
  const volumes: V1Volume[] = [];
  const volumeMounts: V1VolumeMount[] = [];
  spec.mounts.forEach((m, i) => {
    const { volume, subPath } = volumeFor(config.volumes[m.volume], m, i);
    volumes.push(volume);
    volumeMounts.push({ name: volume.name, mountPath: m.target, readOnly: m.readOnly, ...(subPath ? { subPath } : {}) });
  });
  const env: V1EnvVar[] = Object.entries(spec.env).map(([name, value]) => ({ name, value }));
  const secretName = `${spec.name}-secret`;
  if ("env" in spec.secret) {
    env.push({ name: spec.secret.env, valueFrom: { secretKeyRef: { name: secretName, key: SECRET_KEY } } });
  } else {
    const slash = spec.secret.file.lastIndexOf("/");
    volumes.push({ name: "desktop-secret", secret: { secretName, defaultMode: 0o400, items: [{ key: SECRET_KEY, path: spec.secret.file.slice(slash + 1) }] } });
    volumeMounts.push({ name: "desktop-secret", mountPath: spec.secret.file.slice(0, slash) || "/", readOnly: true });
  }
  const limits = { cpu: cpuQuantity(spec.resources.cpu), memory: `${spec.resources.memoryMiB}Mi`, ...(spec.resources.storageGiB ? { "ephemeral-storage": `${spec.resources.storageGiB}Gi` } : {}) };
  const probe = probeFor(spec);
  return {
    apiVersion: "v1",
    kind: "Pod",
    metadata: { name: spec.name, namespace: config.namespace, labels: toLabels(spec.labels) },
    spec: {
      restartPolicy: "Never",
      automountServiceAccountToken: false,
      enableServiceLinks: false,
      ...(config.serviceAccountName ? { serviceAccountName: config.serviceAccountName } : {}),
      ...(config.runtimeClassName ? { runtimeClassName: config.runtimeClassName } : {}),
      ...(Object.keys(config.nodeSelector).length ? { nodeSelector: config.nodeSelector } : {}),
      ...(config.tolerations.length ? { tolerations: config.tolerations as V1Toleration[] } : {}),
      ...(config.imagePullSecrets.length ? { imagePullSecrets: config.imagePullSecrets.map((name) => ({ name })) } : {}),
      securityContext: {
        runAsUser: spec.user.uid,
        runAsGroup: spec.user.gid,
        fsGroup: spec.user.gid,
        runAsNonRoot: !spec.allowRoot,
        seccompProfile: { type: "RuntimeDefault" },
      },
      containers: [
        {
          name: "desktop",
          image: spec.image,
          imagePullPolicy: config.imagePullPolicy,
          ...(spec.command?.length ? { command: [...spec.command] } : {}),
          env,
          ports: [{ containerPort: spec.port.container, name: "desktop", protocol: "TCP" }],
          resources: { requests: limits, limits },
          securityContext: {
            allowPrivilegeEscalation: false,
            privileged: false,
            runAsNonRoot: !spec.allowRoot,
            capabilities: { drop: ["ALL"], ...(spec.capabilities.length ? { add: [...spec.capabilities] } : {}) },
          },
          volumeMounts,
          ...(probe ? { readinessProbe: probe } : {}),
        },
      ],
      volumes,
    },
  };
}

/** Owner reference to the pod: the Secret and Service go away with it. */
export function ownedBy(pod: V1Pod) {
  return [{ apiVersion: "v1", kind: "Pod", name: pod.metadata!.name!, uid: pod.metadata!.uid!, controller: false, blockOwnerDeletion: true }];
}

/** The desktop secret, owned by the pod. */
export function buildSecret(spec: WorkloadSpec, config: KubernetesConfig, pod: V1Pod): V1Secret {
  return {
    apiVersion: "v1",
    kind: "Secret",
    type: "Opaque",
    metadata: { name: `${spec.name}-secret`, namespace: config.namespace, labels: toLabels(spec.labels), ownerReferences: ownedBy(pod) },
    stringData: { [SECRET_KEY]: spec.secret.value },
  };
}

/** The Service exposing the desktop port, owned by the pod. */
export function buildService(spec: WorkloadSpec, config: KubernetesConfig, pod: V1Pod): V1Service {
  return {
    apiVersion: "v1",
    kind: "Service",
    metadata: { name: spec.name, namespace: config.namespace, labels: toLabels(spec.labels), ownerReferences: ownedBy(pod) },
    spec: {
      type: config.service.type,
      selector: { "calipso.instance": labelValue(spec.labels["calipso.instance"] ?? spec.name), [MANAGED_LABEL]: "true" },
      ports: [{ name: "desktop", port: spec.port.container, targetPort: spec.port.container, protocol: "TCP" }],
    },
  };
}
