/** @module Test fixtures: instances, experiments and users for the store suites. */
import { createId } from "@calipso/core";
import type { Instance, Resources, SourceExperiment, Store, User } from "@calipso/core";

export function instanceFor(owner: string, resources: Resources = { cpu: 1, memoryMiB: 1024 }, extra: Partial<Instance> = {}): Instance {
  return { id: createId(), owner, template: "desktop", state: "pending", resources, createdAt: new Date(Date.UTC(2026, 0, 1, 12, 0, 0, 123)), ...extra };
}

export function experiment(n: number, extra: Partial<SourceExperiment> = {}): SourceExperiment {
  return {
    proposalId: `P-${String(n).padStart(5, "0")}`,
    title: `Experiment ${n}`,
    beamline: `BL${n % 7}`,
    sessions: [{ id: `s${n}`, number: `${n}`, startsAt: new Date(Date.UTC(2025, 0, 1 + n)), datasets: [{ path: `data/${n}`, readOnly: true }] }],
    ...extra,
  };
}

export async function user(store: Store, username = `u${createId().slice(0, 8)}`): Promise<User> {
  return store.users.upsertFromIdentity({ username, displayName: `User ${username}` }, new Date(Date.UTC(2026, 0, 1)));
}

export const LIMITS = { instances: 5, cpu: 100, memoryMiB: 1_000_000, storageGiB: 1000 };
