/** @module `describeStore()`: the conformance suite of a store. */
import { describe } from "vitest";
import type { z } from "zod";
import { configSuite, definitionSuite } from "../shared/definition.ts";
import { createKit } from "../shared/kit.ts";
import { apiTokensSuite, sessionsSuite, usersSuite } from "./accounts.ts";
import { experimentsSuite } from "./experiments.ts";
import { createStoreHarness } from "./harness.ts";
import type { StoreKitOptions } from "./harness.ts";
import { admissionSuite, instancesSuite, templatesSuite } from "./instances.ts";
import { auditSuite, leasesSuite, storeLifecycleSuite, transactionsSuite } from "./records.ts";

export type { StoreFixture, StoreKitOptions } from "./harness.ts";

/**
 * Registers the conformance suite of a store: definition, config, users, sessions, API tokens,
 * experiments (sync, favourites, listing), templates, instances (compare-and-set), atomic quota
 * admission, quotas, audit, leases, transactions and lifecycle. Each area gets a fresh store.
 *
 * @example
 * describeStore({
 *   definition: sqliteStore,
 *   config: { url: ":memory:" },
 *   invalidConfigs: [{ config: { url: 42 }, field: "url" }],
 *   create: async () => {
 *     const store = await instantiate(sqliteStore, { url: ":memory:" }, createTestContext());
 *     return { store, cleanup: () => store.close() };
 *   },
 * });
 */
export function describeStore<S extends z.ZodType>(options: StoreKitOptions<S>): void {
  describe(`calipso conformance: store/${options.definition.name}`, () => {
    const kit = createKit("store", options);
    const harness = createStoreHarness(kit, options as StoreKitOptions);
    definitionSuite(kit);
    configSuite(kit);
    usersSuite(harness);
    sessionsSuite(harness);
    apiTokensSuite(harness);
    experimentsSuite(harness);
    templatesSuite(harness);
    instancesSuite(harness);
    admissionSuite(harness);
    auditSuite(harness);
    leasesSuite(harness);
    transactionsSuite(harness);
    storeLifecycleSuite(harness);
  });
}
