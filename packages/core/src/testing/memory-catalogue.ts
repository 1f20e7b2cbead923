/**
 * @module The memory store's experiments (with memberships and favourites) and templates.
 */
import { AppError } from "../errors.ts";
import type { ExperimentQuery } from "../domain/experiment.ts";
import { clone, pair } from "./memory-tables.ts";
import { queryExperiments } from "./memory-query.ts";
import type { Store } from "../ports/store.ts";
import type { MemoryTables } from "./memory-tables.ts";

/** Experiments, memberships, favourites and templates on the memory store's maps. */
export function memoryCatalogue(t: MemoryTables): Pick<Store, "experiments" | "templates"> {
  const { state, read, put, del, open, userOf, upsertExperiment } = t;
  return {
    experiments: {
      async syncForUser(userId, source, experiments, now) {
        open();
        const user = userOf(userId);
        const stored = experiments.map((e) => upsertExperiment(source, e));
        const keep = new Set(stored.map((e) => e.id));
        for (const key of [...state.memberships.keys()]) {
          const [u, expId] = key.split("\u0000") as [string, string];
          if (u === userId && state.experiments.get(expId)?.source === source && !keep.has(expId)) del(state.memberships, key);
        }
        for (const e of stored) put(state.memberships, pair(userId, e.id), true);
        put(state.users, userId, { ...user, experimentsSyncedAt: new Date(now) });
        return clone(stored);
      },
      async upsert(source, experiment) {
        open();
        return clone(upsertExperiment(source, experiment));
      },
      get: async (id) => read(state.experiments, id),
      async getByProposal(source, proposalId) {
        open();
        const id = state.experimentKeys.get(pair(source, proposalId));
        const e = id ? state.experiments.get(id) : undefined;
        return e ? clone(e) : null;
      },
      async listForUser(userId, query: ExperimentQuery) {
        open();
        return clone(
          queryExperiments(state.experiments.values(), query, {
            isMember: (id) => state.memberships.has(pair(userId, id)),
            // Favourites are keyed by (this user, experiment): another member's favourite never shows here (seed bug B8).
            isFavourite: (id) => state.favourites.has(pair(userId, id)),
          }),
        );
      },
      async isMember(userId, experimentId) {
        open();
        return state.memberships.has(pair(userId, experimentId));
      },
      async setFavourite(userId, experimentId, favourite) {
        open();
        if (!state.memberships.has(pair(userId, experimentId))) throw new AppError("NOT_FOUND", { detail: `No experiment ${experimentId}` });
        if (favourite) put(state.favourites, pair(userId, experimentId), true);
        else del(state.favourites, pair(userId, experimentId));
      },
    },

    templates: {
      async list() {
        open();
        return clone([...state.templates.values()].sort((a, b) => a.name.localeCompare(b.name)));
      },
      get: async (name) => read(state.templates, name),
      async put(template) {
        open();
        put(state.templates, template.name, clone(template));
      },
      async delete(name) {
        open();
        return del(state.templates, name);
      },
    },
  };
}
