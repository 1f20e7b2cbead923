import { describe, expect, it } from "vitest";
import { AppError } from "../errors.ts";
import { TEST_EXPERIMENTS, createTestCalipso } from "../testing/fixture.ts";
import { createFakeExperiments } from "../testing/fake-experiments.ts";
import type { ExperimentSource } from "../ports/experiments.ts";

const is = (code: string) => (e: unknown) => AppError.is(e) && e.code === code;

describe("experiments", () => {
  it("lists the user's experiments from the source, then from the store until the cache TTL passes", async () => {
    const t = await createTestCalipso();
    const alice = await t.login("alice");
    const first = await t.calipso.listExperiments(alice);
    expect(first.items.map((e) => e.proposalId)).toEqual(["P1", "P2", "P3"].filter((p) => p !== "P2"));
    expect(t.source.calls.listForUser).toBe(1);
    await t.calipso.listExperiments(alice, { search: "prot" });
    expect(t.source.calls.listForUser).toBe(1);
    t.source.put({ proposalId: "P9", title: "New", members: ["alice"] });
    t.clock.advance(301_000);
    const later = await t.calipso.listExperiments(alice, { sort: "proposalId", order: "asc" });
    expect(t.source.calls.listForUser).toBe(2);
    expect(later.items.map((e) => e.proposalId)).toEqual(["P1", "P3", "P9"]);
  });

  it("refuses invalid queries with VALIDATION_FAILED naming each issue", async () => {
    const t = await createTestCalipso();
    const alice = await t.login("alice");
    const error = await t.calipso.listExperiments(alice, { pageSize: 10_000, sort: "secret" as never }).catch((e: unknown) => e);
    expect(AppError.is(error, "VALIDATION_FAILED")).toBe(true);
    const paths = ((error as AppError).meta?.["issues"] as { path: string }[]).map((i) => i.path).sort();
    expect(paths).toEqual(["pageSize", "sort"]);
    await expect(t.calipso.listExperiments(alice, { bogus: 1 } as never)).rejects.toSatisfy(is("VALIDATION_FAILED"));
  });

  it("keeps favourites per user: an experiment favourited by another member is not in my favourites (seed bug B8)", async () => {
    const t = await createTestCalipso();
    const [alice, bob] = [await t.login("alice"), await t.login("bob")];
    await t.calipso.listExperiments(alice);
    const shared = (await t.calipso.listExperiments(bob)).items.find((e) => e.proposalId === "P3")!;
    await t.calipso.setFavourite(bob, shared.id, true);
    expect((await t.calipso.listExperiments(alice, { favouritesOnly: true })).items).toEqual([]);
    expect((await t.calipso.listExperiments(alice)).items.find((e) => e.id === shared.id)?.favourite).toBe(false);
    expect((await t.calipso.listExperiments(bob, { favouritesOnly: true })).items.map((e) => e.proposalId)).toEqual(["P3"]);
    await t.calipso.setFavourite(bob, shared.id, false);
    expect((await t.calipso.listExperiments(bob, { favouritesOnly: true })).total).toBe(0);
    const audit = await t.store.audit.list({ page: 1, pageSize: 10, target: `experiment:${shared.id}` });
    expect(audit.items.map((e) => e.action)).toEqual(["experiment.unfavourite", "experiment.favourite"]);
  });

  it("only lets members favourite an experiment; others get NOT_FOUND", async () => {
    const t = await createTestCalipso();
    const [alice, bob] = [await t.login("alice"), await t.login("bob")];
    const p1 = (await t.calipso.listExperiments(alice)).items.find((e) => e.proposalId === "P1")!;
    await expect(t.calipso.setFavourite(bob, p1.id, true)).rejects.toSatisfy(is("NOT_FOUND"));
    await expect(t.calipso.setFavourite(bob, "no-such-id", true)).rejects.toSatisfy(is("NOT_FOUND"));
    await expect(t.calipso.setFavourite(bob, p1.id, "yes" as never)).rejects.toSatisfy(is("VALIDATION_FAILED"));
  });

  it("serves the cached copy when the source fails after a first sync, and fails without one", async () => {
    const base = await createFakeExperiments({ experiments: [...TEST_EXPERIMENTS] });
    let down = false;
    const source: ExperimentSource = {
      listForUser: async (u) => {
        if (down) throw new AppError("PROVIDER_UNAVAILABLE", { detail: "user office down" });
        return base.listForUser(u);
      },
      get: (id) => base.get(id),
      isMember: (u, id) => base.isMember(u, id),
    };
    const t = await createTestCalipso({ deps: { experiments: { name: "fake", source } } });
    const [alice, bob] = [await t.login("alice"), await t.login("bob")];
    await t.calipso.listExperiments(alice);
    down = true;
    t.clock.advance(301_000);
    expect((await t.calipso.listExperiments(alice)).total).toBe(2);
    await expect(t.calipso.listExperiments(bob)).rejects.toSatisfy(is("PROVIDER_UNAVAILABLE"));
  });
});
