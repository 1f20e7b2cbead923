/** @module @calipso/compute-docker: the Docker compute backend (Node-only). */
export { dockerBackend, dockerBackend as default } from "./definition.ts";
export { DockerComputeBackend } from "./backend.ts";
export { DockerConfigSchema, DockerTlsSchema, DockerVolumesSchema } from "./config.ts";
export type { DockerConfig, DockerConfigInput } from "./config.ts";
export { resolveEngineAddress, negotiateApiVersion, DEFAULT_SOCKET, MIN_API_VERSION, MAX_API_VERSION } from "./connection.ts";
export type { EngineAddress } from "./connection.ts";
export { buildCreateOptions, MANAGED_LABEL } from "./container-spec.ts";
