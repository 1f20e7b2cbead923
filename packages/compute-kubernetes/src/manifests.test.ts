import { AppError } from "@calipso/core";
import { describe, expect, it } from "vitest";
import { KubernetesConfigSchema } from "./config.ts";
import { buildPod, buildSecret, buildService, cpuQuantity, labelValue } from "./manifests.ts";
import { workloadSpec } from "./test-support.ts";

const config = KubernetesConfigSchema.parse({
  namespace: "calipso",
  nodeSelector: { "calipso/desktops": "true" },
  tolerations: [{ key: "desktops", operator: "Exists", effect: "NoSchedule" }],
  runtimeClassName: "gvisor",
  imagePullSecrets: ["registry"],
  volumes: { data: { pvc: { claimName: "facility-data" } }, output: { nfs: { server: "nfs.example.org", path: "/export/output" } }, home: { hostPath: {} } },
});

describe("pod manifest", () => {
  const spec = workloadSpec({ labels: { "calipso.instance": "abc", "calipso.owner": "alice@example.org", "calipso.template": "xfce", "calipso.deployment": "d1" } });
  const pod = buildPod(spec, config);
  const container = pod.spec!.containers[0]!;

  it("names, labels and places the pod", () => {
    expect(pod.metadata).toEqual({
      name: spec.name,
      namespace: "calipso",
      labels: { "calipso.managed": "true", "calipso.instance": "abc", "calipso.owner": "alice_example.org", "calipso.template": "xfce", "calipso.deployment": "d1" },
    });
    expect(pod.spec).toMatchObject({
      restartPolicy: "Never",
      automountServiceAccountToken: false,
      enableServiceLinks: false,
      runtimeClassName: "gvisor",
      nodeSelector: { "calipso/desktops": "true" },
      tolerations: [{ key: "desktops", operator: "Exists", effect: "NoSchedule" }],
      imagePullSecrets: [{ name: "registry" }],
    });
  });

  it("sets requests equal to limits from the template", () => {
    const limits = { cpu: "1500m", memory: "2048Mi", "ephemeral-storage": "10Gi" };
    expect(container.resources).toEqual({ requests: limits, limits });
  });

  it("runs as the experiment's identity, non-root, no escalation, all capabilities dropped, seccomp RuntimeDefault", () => {
    expect(pod.spec!.securityContext).toEqual({ runAsUser: 41000, runAsGroup: 41000, fsGroup: 41000, runAsNonRoot: true, seccompProfile: { type: "RuntimeDefault" } });
    expect(container.securityContext).toEqual({ allowPrivilegeEscalation: false, privileged: false, runAsNonRoot: true, capabilities: { drop: ["ALL"] } });
  });

  it("mounts datasets read-only and the output read-write from the configured sources, with subPaths", () => {
    expect(pod.spec!.volumes).toEqual([
      { name: "dataset-0", persistentVolumeClaim: { claimName: "facility-data", readOnly: true } },
      { name: "output-1", nfs: { server: "nfs.example.org", path: "/export/output", readOnly: false } },
    ]);
    expect(container.volumeMounts).toEqual([
      { name: "dataset-0", mountPath: "/data/raw", readOnly: true, subPath: "p123/raw" },
      { name: "output-1", mountPath: "/output", readOnly: false, subPath: "p123/alice" },
    ]);
  });

  it("delivers the secret from the Secret, never inline", () => {
    expect(container.env).toEqual([
      { name: "DISPLAY", value: ":1" },
      { name: "VNC_PASSWORD", valueFrom: { secretKeyRef: { name: `${spec.name}-secret`, key: "desktop-secret" } } },
    ]);
    expect(JSON.stringify(pod)).not.toContain("s3cret-pw");
  });

  it("mounts a file secret read-only with mode 0400", () => {
    const p = buildPod(workloadSpec({ secret: { value: "x", file: "/run/secrets/vnc" } }), config);
    expect(p.spec!.volumes!.at(-1)).toEqual({ name: "desktop-secret", secret: { secretName: expect.stringMatching(/-secret$/), defaultMode: 0o400, items: [{ key: "desktop-secret", path: "vnc" }] } });
    expect(p.spec!.containers[0]!.volumeMounts!.at(-1)).toEqual({ name: "desktop-secret", mountPath: "/run/secrets", readOnly: true });
  });

  it("uses the template's readiness probe", () => {
    expect(container.readinessProbe).toEqual({ periodSeconds: 1, failureThreshold: 5, tcpSocket: { port: 5901 } });
    const http = buildPod(workloadSpec({ readiness: { http: "/api/status" }, port: { container: 8888, protocol: "http" } }), config);
    expect(http.spec!.containers[0]!.readinessProbe).toMatchObject({ httpGet: { path: "/api/status", port: 8888 } });
    expect(container.ports).toEqual([{ containerPort: 5901, name: "desktop", protocol: "TCP" }]);
    expect(container.image).toBe(spec.image);
    expect(container.command).toEqual(["/usr/bin/start-desktop"]);
  });

  it("refuses root unless allowed, and allows it explicitly", () => {
    expect(() => buildPod(workloadSpec({ user: { uid: 0, gid: 0 } }), config)).toThrow(AppError);
    const root = buildPod(workloadSpec({ user: { uid: 0, gid: 0 }, allowRoot: true }), config);
    expect(root.spec!.securityContext!.runAsNonRoot).toBe(false);
  });

  it("never silently drops a mount whose root has no volume source", () => {
    const bare = KubernetesConfigSchema.parse({});
    expect(() => buildPod(workloadSpec(), bare)).toThrow(/No volume source is configured for the data root/);
  });

  it("hostPath roots use the resolved host path", () => {
    const p = buildPod(workloadSpec({ mounts: [{ kind: "home", volume: "home", subPath: "alice", hostPath: "/homes/alice", target: "/home/calipso", readOnly: false }] }), config);
    expect(p.spec!.volumes![0]).toEqual({ name: "home-0", hostPath: { path: "/homes/alice", type: "DirectoryOrCreate" } });
  });
});

describe("service and secret manifests", () => {
  const spec = workloadSpec();
  const pod = { ...buildPod(spec, config), metadata: { ...buildPod(spec, config).metadata, uid: "pod-uid-1" } };

  it("the secret carries the value and is owned by the pod", () => {
    expect(buildSecret(spec, config, pod)).toEqual({
      apiVersion: "v1",
      kind: "Secret",
      type: "Opaque",
      metadata: { name: `${spec.name}-secret`, namespace: "calipso", labels: pod.metadata.labels, ownerReferences: [{ apiVersion: "v1", kind: "Pod", name: spec.name, uid: "pod-uid-1", controller: false, blockOwnerDeletion: true }] },
      stringData: { "desktop-secret": "s3cret-pw" },
    });
  });

  it("the service selects the instance's pod and exposes only the desktop port", () => {
    const svc = buildService(spec, config, pod);
    expect(svc.spec).toEqual({
      type: "ClusterIP",
      selector: { "calipso.instance": spec.labels["calipso.instance"], "calipso.managed": "true" },
      ports: [{ name: "desktop", port: 5901, targetPort: 5901, protocol: "TCP" }],
    });
    expect(svc.metadata!.ownerReferences![0]!.uid).toBe("pod-uid-1");
  });
});

describe("helpers and config", () => {
  it("label values are sanitised", () => {
    expect(labelValue("alice@example.org")).toBe("alice_example.org");
    expect(labelValue("-x-")).toBe("x");
    expect(labelValue("a".repeat(80))).toHaveLength(63);
  });
  it("cpu in millicores", () => {
    expect(cpuQuantity(0.25)).toBe("250m");
    expect(cpuQuantity(2)).toBe("2000m");
  });
  it("NodePort needs a node address; unknown keys are refused", () => {
    expect(KubernetesConfigSchema.safeParse({ service: { type: "NodePort" } }).success).toBe(false);
    expect(KubernetesConfigSchema.safeParse({ nope: 1 }).success).toBe(false);
  });
});
