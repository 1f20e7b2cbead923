/** @module The `docker` compute backend definition (`defineComputeBackend`). */
import { defineComputeBackend } from "@calipso/sdk";
import { DockerComputeBackend } from "./backend.ts";
import { DockerConfigSchema } from "./config.ts";

/**
 * Runs Calipso workloads as containers through the Docker Engine API (or podman's compatible API).
 * Node-only (unix socket / TCP+TLS through dockerode).
 *
 * @example
 * const compute = await instantiate(dockerBackend, { socketPath: "/run/podman/podman.sock" }, ctx);
 */
export const dockerBackend = defineComputeBackend({
  name: "docker",
  description: "Containers on a Docker-compatible engine (Docker, podman) through dockerode",
  configSchema: DockerConfigSchema,
  capabilities: { progress: true, resourceLimits: ["cpu", "memory"], readiness: ["tcp", "log", "http"] },
  create: (config, ctx) => new DockerComputeBackend(config, ctx),
});

export default dockerBackend;
