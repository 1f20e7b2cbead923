/** @module @calipso/compute-kubernetes — Calipso compute backend for Kubernetes (Node-only). */
import { kubernetesBackend } from "./backend.ts";

export { kubernetesBackend, createKubernetesBackend } from "./backend.ts";
export { KubernetesConfigSchema } from "./config.ts";
export type { KubernetesConfig, VolumeSource } from "./config.ts";
export { buildPod, buildSecret, buildService } from "./manifests.ts";
export { mapKubeError } from "./errors.ts";
export default kubernetesBackend;
