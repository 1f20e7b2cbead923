/**
 * @module `calipso import`: loads users, experiments (with sessions and datasets) and memberships
 * into the store from YAML/JSON (the `static` provider's format). Users are upserted (roles only
 * grow); each listed user's memberships for the configured source are replaced by the file's.
 */
import { readFile } from "node:fs/promises";
import { StaticConfigSchema, formatIssues, AppError } from "@calipso/core";
import type { SourceExperiment, Store } from "@calipso/core";
import { parseConfigText } from "./config/load.ts";

export interface ImportReport {
  readonly users: number;
  readonly experiments: number;
  readonly memberships: number;
}

/** Parses import data (the `static` provider's format: users, experiments, memberships). */
export async function readImportFile(file: string) {
  const raw = parseConfigText(await readFile(file, "utf8"), file);
  const parsed = StaticConfigSchema.safeParse(raw);
  if (!parsed.success) throw new AppError("VALIDATION_FAILED", { detail: `${file}: ${formatIssues(parsed.error)}` });
  return parsed.data;
}

/** Writes parsed import data into the store under the experiment source `source`. */
export async function importData(store: Store, source: string, data: Awaited<ReturnType<typeof readImportFile>>, now = new Date()): Promise<ImportReport> {
  const users = new Map<string, string>();
  for (const u of data.users) {
    const user = await store.users.upsertFromIdentity(
      {
        username: u.username,
        ...(u.displayName ? { displayName: u.displayName } : {}),
        ...(u.email ? { email: u.email } : {}),
        roles: u.roles,
        mayUseOwnResources: u.mayUseOwnResources,
      },
      now,
    );
    users.set(u.username, user.id);
  }
  const experiments = new Map<string, SourceExperiment>();
  for (const e of data.experiments) {
    const exp: SourceExperiment = {
      proposalId: e.proposalId,
      title: e.title,
      ...(e.abstract ? { abstract: e.abstract } : {}),
      ...(e.beamline ? { beamline: e.beamline } : {}),
      ...(e.posix ? { posix: e.posix } : {}),
      sessions: e.sessions.map((s) => ({
        id: s.id,
        ...(s.number ? { number: s.number } : {}),
        ...(s.startsAt ? { startsAt: new Date(s.startsAt) } : {}),
        ...(s.endsAt ? { endsAt: new Date(s.endsAt) } : {}),
        datasets: s.datasets.map((d) => ({ path: d.path, readOnly: true as const })),
      })),
    };
    experiments.set(e.proposalId, exp);
    await store.experiments.upsert(source, exp);
  }
  const byUser = new Map<string, SourceExperiment[]>();
  for (const m of data.memberships) {
    const list = byUser.get(m.username) ?? [];
    list.push(experiments.get(m.proposalId)!);
    byUser.set(m.username, list);
  }
  let memberships = 0;
  for (const [username, list] of byUser) {
    let id = users.get(username);
    if (!id) id = (await store.users.getByUsername(username))?.id ?? (await store.users.upsertFromIdentity({ username }, now)).id;
    await store.experiments.syncForUser(id, source, list, now);
    memberships += list.length;
  }
  return { users: data.users.length, experiments: data.experiments.length, memberships };
}
