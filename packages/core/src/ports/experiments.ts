/** @module The ExperimentSource port: which experiments is a user a member of? */
import type { SourceExperiment } from "../domain/experiment.ts";

export interface ExperimentCallOptions {
  readonly signal?: AbortSignal;
}

/**
 * Lists a facility's experiments. Calipso copies what a source returns into its store (cache
 * with a TTL) and does search, sort, paging and favourites there, on indexed columns; a source
 * therefore returns all of a user's experiments (paging through its own API as needed).
 */
export interface ExperimentSource {
  /** Every experiment the user is a member of. */
  listForUser(username: string, options?: ExperimentCallOptions): Promise<readonly SourceExperiment[]>;
  /** One experiment by proposal id, or `null` when the source does not know it. */
  get(proposalId: string, options?: ExperimentCallOptions): Promise<SourceExperiment | null>;
  /** Whether the user is a member of the experiment: asked again at every launch. */
  isMember(username: string, proposalId: string, options?: ExperimentCallOptions): Promise<boolean>;
  dispose?(): Promise<void>;
}

/** Capabilities an experiment source declares. */
export interface ExperimentCapabilities {
  /** The source is remote: results are cached in the store for `cacheTtlSec`. */
  readonly remote?: boolean;
}
