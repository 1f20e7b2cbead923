/**
 * @module @calipso/core/testing — an in-memory Store and in-memory fakes of every provider kind,
 * for tests, demos and the conformance kit. Fakes say that they are fakes: nothing real runs.
 */
export { createMemoryStore, memoryStore, memoryStore as memoryStoreDefinition } from "./memory-store.ts";
export type { MemoryStore, MemoryStoreOptions } from "./memory-store.ts";
export { FakeAuthConfigSchema, createFakeAuth, fakeAuth, fakeAuth as fakeAuthDefinition } from "./fake-auth.ts";
export type { FakeAuthConfig } from "./fake-auth.ts";
export { FakeExperimentsConfigSchema, createFakeExperiments, fakeExperiments, fakeExperiments as fakeExperimentsDefinition } from "./fake-experiments.ts";
export type { FakeExperimentInput, FakeExperimentSource, FakeExperimentsConfig } from "./fake-experiments.ts";
export {
  FakeComputeConfigSchema,
  createFakeCompute,
  createFakeComputeEngine,
  fakeCompute,
  fakeCompute as fakeComputeDefinition,
  getFakeComputeEngine,
} from "./fake-compute.ts";
export type { FakeComputeBackend, FakeComputeConfig, FakeComputeEngine, FakeWorkload } from "./fake-compute.ts";
export {
  FakeDesktopConfigSchema,
  createFakeDesktop,
  createFakeDesktopGateway,
  fakeDesktop,
  fakeDesktop as fakeDesktopDefinition,
  getFakeDesktopGateway,
} from "./fake-desktop.ts";
export type { FakeDesktopConfig, FakeDesktopGateway, FakeRemoteDesktop } from "./fake-desktop.ts";
export { testContext, testSecrets } from "./context.ts";
export { TEST_EXPERIMENTS, TEST_TEMPLATES, TEST_USERS, createTestCalipso, createTestClock, eventually } from "./fixture.ts";
export type { TestCalipso, TestCalipsoOptions, TestClock } from "./fixture.ts";
