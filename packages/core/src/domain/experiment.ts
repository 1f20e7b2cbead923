/** @module Experiments (proposals), their sessions and datasets. */
import { z } from "zod";

/** A dataset of an experiment session: a path relative to the facility's data root. */
export const DatasetSchema = z.object({
  path: z.string().min(1).max(4096).describe("Path of the dataset, relative to the configured data root"),
  readOnly: z.literal(true).default(true).describe("Datasets are always mounted read-only"),
});
export type Dataset = z.infer<typeof DatasetSchema>;

/** One beam-time session of an experiment. */
export const ExperimentSessionSchema = z.object({
  id: z.string().min(1).max(128).describe("Session identifier, unique within its experiment"),
  number: z.string().max(128).optional().describe("Session number as the facility names it"),
  startsAt: z.date().optional(),
  endsAt: z.date().optional(),
  datasets: z.array(DatasetSchema).default([]),
});
export type ExperimentSession = z.infer<typeof ExperimentSessionSchema>;

/** POSIX identity that the experiment's environments run as. */
export const PosixIdentitySchema = z.object({
  uid: z.number().int().min(0).max(2 ** 31 - 1),
  gid: z.number().int().min(0).max(2 ** 31 - 1),
});
export type PosixIdentity = z.infer<typeof PosixIdentitySchema>;

/** An experiment as a source describes it (no store id yet). */
export const SourceExperimentSchema = z.object({
  proposalId: z.string().min(1).max(128).describe("Proposal identifier, unique within its source"),
  title: z.string().max(1024),
  abstract: z.string().max(20_000).optional(),
  beamline: z.string().max(128).optional(),
  posix: PosixIdentitySchema.optional(),
  sessions: z.array(ExperimentSessionSchema).default([]),
});
export type SourceExperiment = z.infer<typeof SourceExperimentSchema>;

/** An experiment as Calipso stores it. */
export const ExperimentSchema = SourceExperimentSchema.extend({
  id: z.string().min(1).describe("Store identifier"),
  source: z.string().min(1).describe("Name of the experiment source it came from"),
});
export type Experiment = z.infer<typeof ExperimentSchema>;

/** An experiment in a user's listing, with the user's favourite flag. */
export type ExperimentListItem = Experiment & { readonly favourite: boolean };

/** Sort keys allowed for experiment listings. */
export const ExperimentSortSchema = z.enum(["proposalId", "title", "beamline", "startsAt"]);
export type ExperimentSort = z.infer<typeof ExperimentSortSchema>;

/** A query over a user's experiments. */
export const ExperimentQuerySchema = z.object({
  page: z.number().int().min(1).max(1_000_000).default(1),
  pageSize: z.number().int().min(1).max(200).default(20),
  search: z.string().max(200).optional().describe("Case-insensitive substring of proposal id, title or beamline"),
  sort: ExperimentSortSchema.default("startsAt"),
  order: z.enum(["asc", "desc"]).default("desc"),
  favouritesOnly: z.boolean().default(false),
});
export type ExperimentQuery = z.infer<typeof ExperimentQuerySchema>;

/** One page of a listing. */
export interface Page<T> {
  readonly items: readonly T[];
  readonly total: number;
  readonly page: number;
  readonly pageSize: number;
}

/** The earliest session start of an experiment (used for sorting). */
export function experimentStartsAt(e: Pick<SourceExperiment, "sessions">): Date | undefined {
  let min: Date | undefined;
  for (const s of e.sessions) if (s.startsAt && (!min || s.startsAt < min)) min = s.startsAt;
  return min;
}
