/**
 * @module A fake ExperimentSource: experiments and their members from config, changeable at run
 * time (to prove that membership is asked again at launch). A fake: no user office behind it.
 */
import { z } from "zod";
import { AppError } from "../errors.ts";
import { defineProvider, instantiate } from "../provider.ts";
import { PosixIdentitySchema, SourceExperimentSchema } from "../domain/experiment.ts";
import type { SourceExperiment } from "../domain/experiment.ts";
import { UsernameSchema } from "../domain/user.ts";
import type { ExperimentSource } from "../ports/experiments.ts";
import { testContext } from "./context.ts";

const FakeSessionSchema = z.strictObject({
  id: z.string().min(1).max(128).describe("Session identifier"),
  number: z.string().max(128).optional().describe("Session number"),
  startsAt: z.coerce.date().optional().describe("Start (ISO date-time)"),
  endsAt: z.coerce.date().optional().describe("End (ISO date-time)"),
  datasets: z.array(z.strictObject({ path: z.string().min(1).max(4096).describe("Dataset path below the data root") })).default([]).describe("Datasets"),
});

const FakeExperimentSchema = z.strictObject({
  proposalId: z.string().min(1).max(128).describe("Proposal identifier"),
  title: z.string().max(1024).default("").describe("Title"),
  abstract: z.string().max(20_000).optional().describe("Abstract"),
  beamline: z.string().max(128).optional().describe("Beamline"),
  posix: PosixIdentitySchema.optional().describe("POSIX identity of the experiment's environments"),
  sessions: z.array(FakeSessionSchema).default([]).describe("Beam-time sessions"),
  members: z.array(UsernameSchema).default([]).describe("Usernames of the members"),
});

/** Config of the fake experiment source. */
export const FakeExperimentsConfigSchema = z.strictObject({
  experiments: z.array(FakeExperimentSchema).default([]).describe("Experiments and their members"),
  failWith: z.enum(["PROVIDER_UNAVAILABLE", "PROVIDER_TIMEOUT"]).optional().describe("Make every call fail with this code"),
});
export type FakeExperimentsConfig = z.input<typeof FakeExperimentsConfigSchema>;
export type FakeExperimentInput = z.input<typeof FakeExperimentSchema>;

/** The fake source plus controls for tests. */
export interface FakeExperimentSource extends ExperimentSource {
  /** Adds or replaces an experiment (with its members). */
  put(experiment: FakeExperimentInput): void;
  /** Replaces an experiment's members. */
  setMembers(proposalId: string, members: readonly string[]): void;
  /** Number of calls per method so far. */
  readonly calls: { listForUser: number; get: number; isMember: number };
}

function toSource(e: z.output<typeof FakeExperimentSchema>): SourceExperiment {
  const { members: _members, ...rest } = e;
  return SourceExperimentSchema.parse(rest);
}

function build(config: z.output<typeof FakeExperimentsConfigSchema>): FakeExperimentSource {
  const byId = new Map<string, z.output<typeof FakeExperimentSchema>>();
  for (const e of config.experiments) byId.set(e.proposalId, e);
  const calls = { listForUser: 0, get: 0, isMember: 0 };
  const check = () => {
    if (config.failWith) throw new AppError(config.failWith, { detail: "The fake experiment source is configured to fail", provider: "fake-experiments" });
  };
  return {
    calls,
    async listForUser(username) {
      calls.listForUser++;
      check();
      return [...byId.values()].filter((e) => e.members.includes(username)).map(toSource);
    },
    async get(proposalId) {
      calls.get++;
      check();
      const e = byId.get(proposalId);
      return e ? toSource(e) : null;
    },
    async isMember(username, proposalId) {
      calls.isMember++;
      check();
      return byId.get(proposalId)?.members.includes(username) ?? false;
    },
    put(experiment) {
      const e = FakeExperimentSchema.parse(experiment);
      byId.set(e.proposalId, e);
    },
    setMembers(proposalId, members) {
      const e = byId.get(proposalId);
      if (!e) throw new AppError("NOT_FOUND", { detail: `No experiment ${proposalId}` });
      byId.set(proposalId, { ...e, members: [...members] });
    },
  };
}

/** The fake experiment source's definition. */
export const fakeExperiments = defineProvider("experiments", {
  name: "fake-experiments",
  description: "Fake user office for tests: experiments and members from config",
  configSchema: FakeExperimentsConfigSchema,
  capabilities: { remote: false },
  create: (config) => build(config),
});

/**
 * A fake experiment source from raw options.
 *
 * @example
 * const source = await createFakeExperiments({ experiments: [{ proposalId: "P1", members: ["alice"] }] });
 */
export async function createFakeExperiments(options: FakeExperimentsConfig = {}): Promise<FakeExperimentSource> {
  return (await instantiate(fakeExperiments, options, testContext())) as FakeExperimentSource;
}
