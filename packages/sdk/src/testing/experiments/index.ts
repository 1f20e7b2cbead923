/** @module `describeExperimentSource()`: the conformance suite of an experiment source. */
import { afterAll, describe, expect } from "vitest";
import { SourceExperimentSchema } from "@calipso/core";
import type { ExperimentSource } from "@calipso/core";
import type { z } from "zod";
import { configSuite, definitionSuite } from "../shared/definition.ts";
import { rejection } from "../shared/errors.ts";
import { createKit, declared, randomSuffix } from "../shared/kit.ts";
import type { BaseKitOptions } from "../shared/kit.ts";

/** Options of {@link describeExperimentSource}. */
export interface ExperimentKitOptions<S extends z.ZodType = z.ZodType> extends BaseKitOptions<"experiments", S> {
  /** What the source knows: a user, one of their experiments and an experiment of someone else. */
  readonly fixtures: {
    readonly username: string;
    /** Proposal id of an experiment `username` is a member of. */
    readonly memberOf: string;
    /** Proposal id of an existing experiment `username` is NOT a member of. */
    readonly notMemberOf: string;
  };
}

/**
 * Registers the conformance suite of an experiment source: definition, config, list, get,
 * membership, abort (capability `remote`) and dispose.
 *
 * @example
 * describeExperimentSource({
 *   definition: myCatalogue,
 *   config: { url: catalogue.url },
 *   invalidConfigs: [{ config: {}, field: "url" }],
 *   fixtures: { username: "ada", memberOf: "P-1", notMemberOf: "P-2" },
 * });
 */
export function describeExperimentSource<S extends z.ZodType>(options: ExperimentKitOptions<S>): void {
  describe(`calipso conformance: experiments/${options.definition.name}`, () => {
    const kit = createKit("experiments", options);
    const { username, memberOf, notMemberOf } = options.fixtures;
    const nobody = `kit-nobody-${randomSuffix()}`;
    const unknownProposal = `KIT-UNKNOWN-${randomSuffix()}`;
    let source: Promise<ExperimentSource> | undefined;
    const get = () => (source ??= kit.create());
    afterAll(async () => {
      if (source) await (await source).dispose?.();
    });

    definitionSuite(kit);
    configSuite(kit);

    describe("list", () => {
      kit.test("list-01", "listForUser returns valid experiments, including the user's and not another's", async () => {
        const list = await (await get()).listForUser(username);
        for (const e of list) expect(SourceExperimentSchema.safeParse(e).success, `experiment ${e.proposalId}`).toBe(true);
        const ids = list.map((e) => e.proposalId);
        expect(ids).toContain(memberOf);
        expect(ids).not.toContain(notMemberOf);
      });
      kit.test("list-02", "proposal ids are unique in a listing", async () => {
        const ids = (await (await get()).listForUser(username)).map((e) => e.proposalId);
        expect(new Set(ids).size).toBe(ids.length);
      });
      kit.test("list-03", "an unknown user has no experiments (an empty list, not an error)", async () => {
        expect(await (await get()).listForUser(nobody)).toEqual([]);
      });
    });

    describe("get", () => {
      kit.test("get-01", "get returns a known experiment with its proposal id", async () => {
        const e = await (await get()).get(memberOf);
        expect(e).not.toBeNull();
        expect(SourceExperimentSchema.safeParse(e).success).toBe(true);
        expect(e!.proposalId).toBe(memberOf);
      });
      kit.test("get-02", "get of an unknown proposal resolves null", async () => {
        expect(await (await get()).get(unknownProposal)).toBeNull();
      });
    });

    describe("membership", () => {
      kit.test("member-01", "isMember is true for the user's experiment", async () => {
        expect(await (await get()).isMember(username, memberOf)).toBe(true);
      });
      kit.test("member-02", "isMember is false for another's experiment", async () => {
        expect(await (await get()).isMember(username, notMemberOf)).toBe(false);
      });
      kit.test("member-03", "isMember is false for an unknown experiment and for an unknown user", async () => {
        const s = await get();
        expect(await s.isMember(username, unknownProposal)).toBe(false);
        expect(await s.isMember(nobody, memberOf)).toBe(false);
      });
    });

    describe("abort", () => {
      kit.testIf("remote", declared(options.definition.capabilities.remote), "abort-01", "calls with an aborted signal reject", async () => {
        const s = await get();
        const controller = new AbortController();
        controller.abort();
        expect(await rejection(s.listForUser(username, { signal: controller.signal }))).toBeDefined();
        expect(await rejection(s.isMember(username, memberOf, { signal: controller.signal }))).toBeDefined();
      });
    });

    describe("dispose", () => {
      kit.test("dispose-01", "dispose (when the source has it) resolves and is idempotent", async () => {
        const s = await kit.create();
        if (s.dispose === undefined) return;
        await s.dispose();
        await s.dispose();
      });
    });
  });
}
