/** @module The `static` experiment source: experiments and memberships from config. */
import type { SourceExperiment } from "../domain/experiment.ts";
import type { ExperimentSource } from "../ports/experiments.ts";
import { defineProvider } from "../provider.ts";
import { StaticConfigSchema } from "./config.ts";
import type { StaticConfigParsed } from "./config.ts";

type StaticExperiment = StaticConfigParsed["experiments"][number];

function toSource(e: StaticExperiment): SourceExperiment {
  const out: SourceExperiment = {
    proposalId: e.proposalId,
    title: e.title,
    sessions: e.sessions.map((s) => {
      const session: SourceExperiment["sessions"][number] = { id: s.id, datasets: s.datasets.map((d) => ({ path: d.path, readOnly: true as const })) };
      if (s.number !== undefined) session.number = s.number;
      if (s.startsAt !== undefined) session.startsAt = new Date(s.startsAt);
      if (s.endsAt !== undefined) session.endsAt = new Date(s.endsAt);
      return session;
    }),
  };
  if (e.abstract !== undefined) out.abstract = e.abstract;
  if (e.beamline !== undefined) out.beamline = e.beamline;
  if (e.posix !== undefined) out.posix = { ...e.posix };
  return out;
}

/** Builds the static experiment source from parsed config. */
export function createStaticExperiments(config: StaticConfigParsed): ExperimentSource {
  const experiments = new Map(config.experiments.map((e) => [e.proposalId, e]));
  const members = new Map<string, Set<string>>();
  for (const m of config.memberships) {
    let set = members.get(m.username);
    if (!set) members.set(m.username, (set = new Set()));
    set.add(m.proposalId);
  }
  return {
    async listForUser(username) {
      const ids = members.get(username);
      if (!ids) return [];
      return [...ids].flatMap((id) => {
        const e = experiments.get(id);
        return e ? [toSource(e)] : [];
      });
    },
    async get(proposalId) {
      const e = experiments.get(proposalId);
      return e ? toSource(e) : null;
    },
    async isMember(username, proposalId) {
      return members.get(username)?.has(proposalId) ?? false;
    },
  };
}

/**
 * The `static` experiment source: experiments, sessions, datasets and memberships from config.
 */
export const staticExperiments = defineProvider("experiments", {
  name: "static",
  description: "Experiments and memberships from the configuration file",
  configSchema: StaticConfigSchema,
  capabilities: { remote: false },
  create: (config) => createStaticExperiments(config),
});
