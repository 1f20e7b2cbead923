/** @module Configuration of the Kubernetes compute backend (strict; defaults and descriptions are the docs). */
import { z } from "zod";

const VolumeSourceSchema = z.union([
  z.strictObject({
    pvc: z.strictObject({
      claimName: z.string().min(1).describe("PersistentVolumeClaim holding this root"),
    }).describe("PersistentVolumeClaim source"),
  }).describe("A PVC; each mount uses its subPath below the claim"),
  z.strictObject({
    nfs: z.strictObject({
      server: z.string().min(1).describe("NFS server"),
      path: z.string().startsWith("/").describe("Exported path of the root"),
    }).describe("NFS source"),
  }).describe("An NFS export; each mount uses its subPath below the export"),
  z.strictObject({
    hostPath: z.strictObject({
      path: z.string().startsWith("/").optional().describe("Host path of the root (default: the host path core resolved)"),
    }).describe("hostPath source"),
  }).describe("A path on the node (single-node or shared-filesystem clusters)"),
]);
export type VolumeSource = z.infer<typeof VolumeSourceSchema>;

export const KubernetesConfigSchema = z
  .strictObject({
    kubeconfig: z.string().optional().describe("Path of a kubeconfig file; default: in-cluster service account when `inCluster`, else $KUBECONFIG or ~/.kube/config"),
    context: z.string().optional().describe("kubeconfig context to use (default: its current context)"),
    inCluster: z.boolean().default(false).describe("Use the pod's service account (when the server runs inside the cluster)"),
    cluster: z
      .strictObject({
        server: z.url().describe("API server URL"),
        token: z.string().optional().describe("Bearer token (prefer ${file:/path})"),
        caData: z.string().optional().describe("Base64 PEM of the cluster CA"),
        skipTLSVerify: z.boolean().default(false).describe("Do not verify the API server certificate (never in production)"),
      })
      .optional()
      .describe("Inline cluster connection instead of a kubeconfig file"),
    namespace: z.string().regex(/^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/).default("default").describe("Namespace for every workload"),
    nodeSelector: z.record(z.string(), z.string()).default({}).describe("Node labels pods must match"),
    tolerations: z
      .array(
        z.strictObject({
          key: z.string().optional().describe("Taint key"),
          operator: z.enum(["Exists", "Equal"]).optional().describe("Exists or Equal"),
          value: z.string().optional().describe("Taint value (with Equal)"),
          effect: z.enum(["NoSchedule", "PreferNoSchedule", "NoExecute"]).optional().describe("Taint effect"),
        }).describe("A toleration"),
      )
      .default([])
      .describe("Tolerations for dedicated desktop nodes"),
    runtimeClassName: z.string().optional().describe("RuntimeClass (e.g. gvisor, kata) for stronger isolation"),
    imagePullSecrets: z.array(z.string()).default([]).describe("Secrets for private registries"),
    imagePullPolicy: z.enum(["Always", "IfNotPresent", "Never"]).default("IfNotPresent").describe("Image pull policy"),
    service: z
      .strictObject({
        type: z.enum(["ClusterIP", "NodePort"]).default("ClusterIP").describe("ClusterIP when the gateway runs in the cluster; NodePort otherwise"),
        nodeAddress: z.string().optional().describe("Address of a node the gateway reaches NodePorts on (required for NodePort)"),
      })
      .default({ type: "ClusterIP" })
      .describe("How the desktop port is exposed"),
    volumes: z
      .strictObject({
        data: VolumeSourceSchema.optional().describe("Where dataset paths live (mounted read-only)"),
        output: VolumeSourceSchema.optional().describe("Where output folders live (mounted read-write)"),
        home: VolumeSourceSchema.optional().describe("Where home folders live"),
      })
      .default({})
      .describe("Volume sources for the mount roots; a mount whose root has no source is refused, never dropped"),
    serviceAccountName: z.string().optional().describe("Service account of the workload pods (default: the namespace's default, with its token not mounted)"),
  })
  .refine((c) => c.service.type !== "NodePort" || c.service.nodeAddress, {
    message: "service.nodeAddress is required when service.type is NodePort",
    path: ["service", "nodeAddress"],
  });
export type KubernetesConfig = z.output<typeof KubernetesConfigSchema>;
