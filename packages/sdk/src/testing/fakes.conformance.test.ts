/**
 * The kit tests itself: every suite of `@calipso/sdk/testing` runs against the in-memory fakes of
 * `@calipso/core/testing`. A kit change that breaks a correct provider fails here first.
 */
import {
  createMemoryStore,
  fakeAuth,
  fakeCompute,
  fakeDesktop,
  fakeExperiments,
  getFakeComputeEngine,
  getFakeDesktopGateway,
  memoryStore,
} from "@calipso/core/testing";
import {
  describeAuthProvider,
  describeComputeBackend,
  describeExperimentSource,
  describeRemoteDesktop,
  describeStore,
} from "./index.ts";

const suffix = crypto.randomUUID().slice(0, 8);

const engine = `kit-engine-${suffix}`;
describeComputeBackend({
  definition: fakeCompute,
  config: { engine, behaviour: { delayMs: 2 }, images: { "kit/fails:1": { mode: "fail" } } },
  invalidConfigs: [
    { config: { engine: "" }, field: "engine" },
    { config: { behaviour: { mode: "explode" } }, field: "behaviour.mode" },
    { config: { enigne: "typo" }, field: "enigne" },
  ],
  workload: { image: "kit/desktop:1" },
  failingWorkload: { image: "kit/fails:1" },
  inspect: {
    exists: async (handle) => getFakeComputeEngine(engine).workloads.has(handle.id),
    count: async (selector) =>
      [...getFakeComputeEngine(engine).workloads.values()].filter((w) => Object.entries(selector).every(([k, v]) => w.labels[k] === v)).length,
  },
});

const gateway = `kit-gateway-${suffix}`;
describeRemoteDesktop({
  definition: fakeDesktop,
  config: { gateway },
  invalidConfigs: [
    { config: { baseUrl: "not a url" }, field: "baseUrl" },
    { config: { accessTtlSec: 0 }, field: "accessTtlSec" },
  ],
  inspect: { exists: async (handle) => getFakeDesktopGateway(gateway).registrations.has(handle.id) },
});

describeAuthProvider({
  definition: fakeAuth,
  config: {
    users: [
      { username: "ada", password: "ada-password-1", displayName: "Ada", mayUseOwnResources: true },
      { username: "bob", password: "bob-password-1" },
    ],
    federated: { usernameAttribute: "uid" },
    redirect: true,
  },
  invalidConfigs: [
    { config: { users: [{ username: "has space" }] }, field: "users.0.username" },
    { config: { issuer: "nope" }, field: "issuer" },
  ],
  password: {
    valid: { username: "ada", password: "ada-password-1" },
    invalid: [
      { username: "ada", password: "bob-password-1" },
      { username: "mallory", password: "ada-password-1" },
    ],
  },
  federated: { valid: { attributes: { uid: "ada" } }, username: "ada", invalid: [{ attributes: { uid: "mallory" } }, { attributes: { mail: "ada" } }] },
  redirect: { redirectUri: "https://calipso.test/api/v1/auth/oidc/callback" },
  mayUseOwnResources: { allowed: ["ada"], denied: ["bob"] },
});

describeExperimentSource({
  definition: fakeExperiments,
  config: {
    experiments: [
      { proposalId: "P-1", title: "Ada's beam time", beamline: "BL-1", members: ["ada"], sessions: [{ id: "s1", startsAt: "2026-01-01T08:00:00Z", datasets: [{ path: "p1/raw" }] }] },
      { proposalId: "P-2", title: "Bob's beam time", members: ["bob"] },
    ],
  },
  invalidConfigs: [{ config: { experiments: [{ title: "no id" }] }, field: "experiments.0.proposalId" }],
  fixtures: { username: "ada", memberOf: "P-1", notMemberOf: "P-2" },
});

describeStore({
  definition: memoryStore,
  config: {},
  invalidConfigs: [{ config: { path: "/tmp/store" }, field: "path" }],
  create: async () => {
    const store = createMemoryStore();
    return { store, cleanup: () => store.close() };
  },
});
