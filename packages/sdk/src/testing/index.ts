/**
 * @module @calipso/sdk/testing — the conformance kit: one `describe*()` per provider kind, with
 * stable test ids, plus `createTestContext()`. Imports `vitest` (a peer dependency).
 */
export { createTestContext } from "./context.ts";
export { describeComputeBackend, defaultWorkloadSpec } from "./compute/index.ts";
export type { ComputeInspector, ComputeKitOptions, WorkloadOption } from "./compute/index.ts";
export { describeRemoteDesktop } from "./desktop/index.ts";
export type { DesktopKitOptions } from "./desktop/index.ts";
export { describeAuthProvider } from "./auth/index.ts";
export type { AuthKitOptions, Credentials } from "./auth/index.ts";
export { describeExperimentSource } from "./experiments/index.ts";
export type { ExperimentKitOptions } from "./experiments/index.ts";
export { describeStore } from "./store/index.ts";
export type { StoreFixture, StoreKitOptions } from "./store/index.ts";
export { KNOWN_CAPABILITIES } from "./shared/definition.ts";
export type { BaseKitOptions, ContextOption, InvalidConfig } from "./shared/kit.ts";
