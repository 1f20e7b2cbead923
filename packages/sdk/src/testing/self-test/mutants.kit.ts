/** The kit against its mutants (run by `kit-self-test.test.ts` in a nested vitest, never directly). */
import { getFakeComputeEngine, getFakeDesktopGateway } from "@calipso/core/testing";
import type { FakeComputeConfigSchema } from "@calipso/core/testing";
import type { ComputeKitOptions } from "../compute/options.ts";
import { describeAuthProvider, describeComputeBackend, describeRemoteDesktop, describeStore } from "../index.ts";
import { enumeratesUsers, globalFavouritesStore, ignoresAbort, leakyStop, noProgress, noRollbackStore, notFoundStatus, racyStore, secretInUrl, storeDefinition } from "./mutants.ts";

const engine = `kit-mutants-${crypto.randomUUID().slice(0, 8)}`;
const compute: Omit<ComputeKitOptions<typeof FakeComputeConfigSchema>, "definition"> = {
  config: { engine, images: { "kit/fails:1": { mode: "fail" } } },
  invalidConfigs: [{ config: { engine: "" }, field: "engine" }],
  workload: { image: "kit/desktop:1" },
  failingWorkload: { image: "kit/fails:1" },
  inspect: {
    exists: async (h) => getFakeComputeEngine(engine).workloads.has(h.id),
    count: async (sel) => [...getFakeComputeEngine(engine).workloads.values()].filter((w) => Object.entries(sel).every(([k, v]) => w.labels[k] === v)).length,
  },
};
describeComputeBackend({ ...compute, definition: leakyStop });
describeComputeBackend({ ...compute, definition: notFoundStatus });
describeComputeBackend({ ...compute, definition: noProgress });
describeComputeBackend({ ...compute, definition: ignoresAbort });

const gateway = `kit-mutants-${crypto.randomUUID().slice(0, 8)}`;
describeRemoteDesktop({
  definition: secretInUrl,
  config: { gateway },
  invalidConfigs: [{ config: { accessTtlSec: 0 }, field: "accessTtlSec" }],
  inspect: { exists: async (h) => getFakeDesktopGateway(gateway).registrations.has(h.id) },
});

describeAuthProvider({
  definition: enumeratesUsers,
  config: { users: [{ username: "ada", password: "ada-password-1" }] },
  invalidConfigs: [{ config: { issuer: "nope" }, field: "issuer" }],
  password: { valid: { username: "ada", password: "ada-password-1" }, invalid: [{ username: "ada", password: "wrong" }] },
});

const stores = [
  ["kit-racy-store", racyStore],
  ["kit-no-rollback", noRollbackStore],
  ["kit-global-favourites", globalFavouritesStore],
] as const;
for (const [name, make] of stores) {
  describeStore({ definition: storeDefinition(name, make), config: {}, invalidConfigs: [{ config: { x: 1 }, field: "x" }] });
}
