/** @module @calipso/sdk — define providers and instantiate them; the conformance kit is at `@calipso/sdk/testing`. */
// Declaring providers
export { defineAuthProvider, defineComputeBackend, defineExperimentSource, defineRemoteDesktop, defineStore } from "./define.ts";
// Loading them (re-exported from @calipso/core so a host needs one import)
export { AppError, PROVIDER_KINDS, instantiate, isAppError, isProviderDefinition } from "@calipso/core";
export type {
  AuthCapabilities,
  ComputeCapabilities,
  DesktopCapabilities,
  ErrorCode,
  ExperimentCapabilities,
  ProviderContext,
  ProviderDefinition,
  ProviderInput,
  ProviderKind,
  ProviderKinds,
  StoreCapabilities,
} from "@calipso/core";
