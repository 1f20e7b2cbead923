/**
 * @module Configuration of the built-in `static` facility provider: users, experiments and
 * memberships as data (a YAML or JSON file in the server config). One schema for both kinds.
 */
import { z } from "zod";
import { PosixIdentitySchema } from "../domain/experiment.ts";
import { RoleSchema, UsernameSchema } from "../domain/user.ts";
import { PASSWORD_HASH_PATTERN, parsePasswordHash } from "./password.ts";

const DateTimeSchema = z.iso.datetime({ offset: true }).describe("ISO 8601 date-time, e.g. 2026-03-01T08:00:00Z");

/** A user of the static provider. */
export const StaticUserSchema = z.strictObject({
  username: UsernameSchema,
  displayName: z.string().max(256).optional().describe("Name to show"),
  email: z.string().max(320).optional().describe("E-mail address"),
  roles: z.array(RoleSchema).default(["user"]).describe("Roles returned at login (`user`, `admin`)"),
  mayUseOwnResources: z.boolean().default(false).describe("May launch environments that are not bound to an experiment"),
  passwordHash: z
    .string()
    .regex(PASSWORD_HASH_PATTERN, "must be pbkdf2-sha256$<iterations>$<salt base64>$<hash base64> (see hashPassword)")
    .superRefine((value, ctx) => {
      try {
        parsePasswordHash(value);
      } catch (error) {
        ctx.addIssue({ code: "custom", message: (error as { detail?: string }).detail ?? "invalid password hash" });
      }
    })
    .optional()
    .describe("PBKDF2 hash `pbkdf2-sha256$<iterations>$<salt b64>$<hash b64>` made by `hashPassword()`; absent: no password login"),
});

/** A dataset of a static experiment session. */
export const StaticDatasetSchema = z.strictObject({
  path: z.string().min(1).max(4096).describe("Dataset path, relative to the configured data root"),
});

/** A beam-time session of a static experiment. */
export const StaticSessionSchema = z.strictObject({
  id: z.string().min(1).max(128).describe("Session identifier, unique within its experiment"),
  number: z.string().max(128).optional().describe("Session number as the facility names it"),
  startsAt: DateTimeSchema.optional().describe("Start of the session (ISO 8601)"),
  endsAt: DateTimeSchema.optional().describe("End of the session (ISO 8601)"),
  datasets: z.array(StaticDatasetSchema).default([]).describe("Datasets, mounted read-only"),
});

/** An experiment of the static provider. */
export const StaticExperimentSchema = z.strictObject({
  proposalId: z.string().min(1).max(128).describe("Proposal identifier, unique"),
  title: z.string().max(1024).default("").describe("Title"),
  abstract: z.string().max(20_000).optional().describe("Abstract"),
  beamline: z.string().max(128).optional().describe("Beamline"),
  posix: PosixIdentitySchema.optional().describe("POSIX uid/gid the experiment's environments run as"),
  sessions: z.array(StaticSessionSchema).default([]).describe("Beam-time sessions"),
});

/** A membership: user × experiment. */
export const StaticMembershipSchema = z.strictObject({
  username: UsernameSchema,
  proposalId: z.string().min(1).max(128).describe("Proposal id of a configured experiment"),
});

/** Config of the `static` provider (the same object configures its auth and experiments parts). */
export const StaticConfigSchema = z
  .strictObject({
    users: z.array(StaticUserSchema).max(100_000).default([]).describe("Users who may log in"),
    experiments: z.array(StaticExperimentSchema).max(100_000).default([]).describe("Experiments"),
    memberships: z.array(StaticMembershipSchema).max(1_000_000).default([]).describe("Which user is a member of which experiment"),
  })
  .superRefine((config, ctx) => {
    const users = new Set<string>();
    config.users.forEach((u, i) => {
      if (users.has(u.username)) ctx.addIssue({ code: "custom", path: ["users", i, "username"], message: `duplicate username ${u.username}` });
      users.add(u.username);
    });
    const experiments = new Set<string>();
    config.experiments.forEach((e, i) => {
      if (experiments.has(e.proposalId)) ctx.addIssue({ code: "custom", path: ["experiments", i, "proposalId"], message: `duplicate proposalId ${e.proposalId}` });
      experiments.add(e.proposalId);
    });
    config.memberships.forEach((m, i) => {
      if (!experiments.has(m.proposalId)) ctx.addIssue({ code: "custom", path: ["memberships", i, "proposalId"], message: `unknown experiment ${m.proposalId}` });
    });
  })
  .describe("Users, experiments and memberships of the static facility provider");

export type StaticConfig = z.input<typeof StaticConfigSchema>;
export type StaticConfigParsed = z.output<typeof StaticConfigSchema>;
