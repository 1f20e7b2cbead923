/** @module @calipso/sdk — define providers, instantiate them; the conformance kit is at `@calipso/sdk/testing`. */
export { defineAuthProvider, defineComputeBackend, defineExperimentSource, defineRemoteDesktop, defineStore } from "./define.ts";
export { instantiate, isProviderDefinition, AppError, isAppError } from "@calipso/core";
export type { ProviderContext, ProviderDefinition, ProviderInput, ProviderKind } from "@calipso/core";
