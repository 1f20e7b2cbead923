/** @module Store suite `experiments`: sync by (source, proposalId), memberships, per-user favourites, listing. */
import { describe, expect } from "vitest";
import { ExperimentQuerySchema } from "@calipso/core";
import type { ExperimentQuery, SourceExperiment, Store } from "@calipso/core";
import { randomSuffix } from "../shared/kit.ts";
import type { StoreHarness } from "./harness.ts";
import { at, newUser, sourceExperiment } from "./harness.ts";

const query = (q: Partial<ExperimentQuery> = {}): ExperimentQuery => ExperimentQuerySchema.parse({ pageSize: 200, ...q });
const ids = (page: { items: readonly { proposalId: string }[] }) => page.items.map((e) => e.proposalId);

/** Registers the `experiments` suite. */
export function experimentsSuite(h: StoreHarness): void {
  const { kit } = h;
  describe("experiments", () => {
    const store = h.useStore();
    const source = () => `kit-${randomSuffix()}`;
    const proposals = (n: number) => Array.from({ length: n }, (_, i) => `KIT-${randomSuffix()}-${i}`);
    const synced = async (s: Store, exps: readonly SourceExperiment[], src = "kit") => {
      const user = await newUser(s);
      return { user, stored: await s.experiments.syncForUser(user.id, src, exps, at()) };
    };

    kit.test("experiments-01", "syncForUser stores the experiments with ids and returns them; get and getByProposal find them", async () => {
      const src = source();
      const exp = sourceExperiment(`KIT-${randomSuffix()}`, { abstract: "About", beamline: "BL-1", posix: { uid: 2001, gid: 3001 } });
      const { stored } = await synced(store(), [exp], src);
      expect(stored).toHaveLength(1);
      const e = stored[0]!;
      expect(e).toMatchObject({ ...exp, source: src });
      expect(e.id.length).toBeGreaterThan(0);
      expect(await store().experiments.get(e.id)).toEqual(e);
      expect(await store().experiments.getByProposal(src, exp.proposalId)).toEqual(e);
    });
    kit.test("experiments-02", "a second sync of the same experiments keeps their ids and duplicates nothing", async () => {
      const exps = proposals(3).map((p) => sourceExperiment(p));
      const { user, stored } = await synced(store(), exps);
      const again = await store().experiments.syncForUser(user.id, "kit", exps, at());
      expect(again.map((e) => e.id).sort()).toEqual(stored.map((e) => e.id).sort());
      expect((await store().experiments.listForUser(user.id, query())).total).toBe(3);
    });
    kit.test("experiments-03", "concurrent syncs of overlapping experiments never duplicate one", async () => {
      const shared = proposals(4).map((p) => sourceExperiment(p));
      const users = await Promise.all(Array.from({ length: 6 }, () => newUser(store())));
      const src = source();
      await Promise.all(users.flatMap((u) => [1, 2].map(() => store().experiments.syncForUser(u.id, src, shared, at()))));
      const idsByProposal = new Map<string, Set<string>>();
      for (const u of users) {
        const page = await store().experiments.listForUser(u.id, query());
        expect(page.total).toBe(4);
        for (const e of page.items) idsByProposal.set(e.proposalId, (idsByProposal.get(e.proposalId) ?? new Set()).add(e.id));
      }
      for (const [p, set] of idsByProposal) expect(set.size, `${p} stored more than once`).toBe(1);
    });
    kit.test("experiments-04", "a sync replaces the user's memberships of that source", async () => {
      const [a, b, c] = proposals(3).map((p) => sourceExperiment(p)) as [SourceExperiment, SourceExperiment, SourceExperiment];
      const { user, stored } = await synced(store(), [a, b]);
      await store().experiments.syncForUser(user.id, "kit", [b, c], at());
      expect(ids(await store().experiments.listForUser(user.id, query())).sort()).toEqual([b.proposalId, c.proposalId].sort());
      const gone = stored.find((e) => e.proposalId === a.proposalId)!;
      expect(await store().experiments.isMember(user.id, gone.id)).toBe(false);
      expect(await store().experiments.get(gone.id), "the experiment itself stays").not.toBeNull();
    });
    kit.test("experiments-05", "memberships of other sources survive a sync, and the sync time is recorded", async () => {
      const [a, x] = proposals(2).map((p) => sourceExperiment(p)) as [SourceExperiment, SourceExperiment];
      const { user } = await synced(store(), [a], "kit-one");
      const when = at(10);
      await store().experiments.syncForUser(user.id, "kit-two", [x], when);
      await store().experiments.syncForUser(user.id, "kit-one", [], when);
      expect(ids(await store().experiments.listForUser(user.id, query()))).toEqual([x.proposalId]);
      expect((await store().users.get(user.id))?.experimentsSyncedAt).toEqual(when);
    });
    kit.test("experiments-06", "upsert updates an experiment by (source, proposalId) and keeps its id", async () => {
      const src = source();
      const p = `KIT-${randomSuffix()}`;
      const first = await store().experiments.upsert(src, sourceExperiment(p));
      const second = await store().experiments.upsert(src, sourceExperiment(p, { title: "Renamed" }));
      expect(second.id).toBe(first.id);
      expect((await store().experiments.get(first.id))?.title).toBe("Renamed");
      const elsewhere = await store().experiments.upsert(source(), sourceExperiment(p));
      expect(elsewhere.id, "the same proposal id in another source is another experiment").not.toBe(first.id);
    });
    kit.test("experiments-07", "favourites are per user: another member's favourite never shows in mine", async () => {
      const exp = sourceExperiment(`KIT-${randomSuffix()}`);
      const { user: me, stored } = await synced(store(), [exp]);
      const { user: other } = await synced(store(), [exp]);
      const id = stored[0]!.id;
      await store().experiments.setFavourite(other.id, id, true);
      expect((await store().experiments.listForUser(me.id, query())).items[0]?.favourite).toBe(false);
      expect((await store().experiments.listForUser(other.id, query())).items[0]?.favourite).toBe(true);
      expect((await store().experiments.listForUser(me.id, query({ favouritesOnly: true }))).total).toBe(0);
      await store().experiments.setFavourite(other.id, id, false);
      expect((await store().experiments.listForUser(other.id, query())).items[0]?.favourite).toBe(false);
    });
    kit.test("experiments-08", "favouritesOnly lists the favourites, and they survive a re-sync", async () => {
      const exps = proposals(3).map((p) => sourceExperiment(p));
      const { user, stored } = await synced(store(), exps);
      await store().experiments.setFavourite(user.id, stored[1]!.id, true);
      await store().experiments.setFavourite(user.id, stored[1]!.id, true);
      await store().experiments.syncForUser(user.id, "kit", exps, at());
      const favs = await store().experiments.listForUser(user.id, query({ favouritesOnly: true }));
      expect(favs.total).toBe(1);
      expect(favs.items.map((e) => e.id)).toEqual([stored[1]!.id]);
    });
    kit.test("experiments-09", "search is a case-insensitive substring of proposal id, title or beamline", async () => {
      const tag = randomSuffix();
      const { user } = await synced(store(), [
        sourceExperiment(`KIT-${tag}-A`, { title: "Alpha" }),
        sourceExperiment(`KIT-B-${randomSuffix()}`, { title: `Protein ${tag.toUpperCase()} crystals` }),
        sourceExperiment(`KIT-C-${randomSuffix()}`, { title: "Gamma", beamline: `bl-${tag}` }),
        sourceExperiment(`KIT-D-${randomSuffix()}`, { title: "Delta" }),
      ]);
      const found = await store().experiments.listForUser(user.id, query({ search: tag.toUpperCase() }));
      expect(found.total).toBe(3);
      expect(ids(found).some((p) => p.startsWith("KIT-D-"))).toBe(false);
      expect((await store().experiments.listForUser(user.id, query({ search: "alpha" }))).total).toBe(1);
      expect((await store().experiments.listForUser(user.id, query({ search: "%" }))).total, "search is literal, not a LIKE pattern").toBe(0);
    });
    kit.test("experiments-10", "listings sort by title, proposal id, beamline and start, in both orders", async () => {
      const t = randomSuffix();
      const { user } = await synced(store(), [
        sourceExperiment(`KIT-${t}-2`, { title: "b", beamline: "BL-3", sessions: [{ id: "s", startsAt: at(-300), datasets: [] }] }),
        sourceExperiment(`KIT-${t}-1`, { title: "c", beamline: "BL-1", sessions: [{ id: "s", startsAt: at(-100), datasets: [] }] }),
        sourceExperiment(`KIT-${t}-3`, { title: "a", beamline: "BL-2", sessions: [{ id: "s", startsAt: at(-200), datasets: [] }] }),
      ]);
      const list = async (q: Partial<ExperimentQuery>) => ids(await store().experiments.listForUser(user.id, query(q)));
      expect(await list({ sort: "title", order: "asc" })).toEqual([`KIT-${t}-3`, `KIT-${t}-2`, `KIT-${t}-1`]);
      expect(await list({ sort: "title", order: "desc" })).toEqual([`KIT-${t}-1`, `KIT-${t}-2`, `KIT-${t}-3`]);
      expect(await list({ sort: "proposalId", order: "asc" })).toEqual([`KIT-${t}-1`, `KIT-${t}-2`, `KIT-${t}-3`]);
      expect(await list({ sort: "beamline", order: "desc" })).toEqual([`KIT-${t}-2`, `KIT-${t}-3`, `KIT-${t}-1`]);
      expect(await list({}), "default: latest start first").toEqual([`KIT-${t}-1`, `KIT-${t}-3`, `KIT-${t}-2`]);
    });
    kit.test("experiments-11", "paging returns disjoint pages that cover the listing, with the total", async () => {
      const { user } = await synced(store(), proposals(5).map((p) => sourceExperiment(p)));
      const pages = await Promise.all([1, 2, 3].map((page) => store().experiments.listForUser(user.id, query({ page, pageSize: 2, sort: "proposalId", order: "asc" }))));
      expect(pages.map((p) => p.items.length)).toEqual([2, 2, 1]);
      expect(pages.every((p) => p.total === 5)).toBe(true);
      expect(pages[1]).toMatchObject({ page: 2, pageSize: 2 });
      expect(new Set(pages.flatMap(ids)).size).toBe(5);
      const beyond = await store().experiments.listForUser(user.id, query({ page: 4, pageSize: 2, sort: "proposalId", order: "asc" }));
      expect(beyond, "a page past the end is empty and still gives the total").toMatchObject({ items: [], total: 5, page: 4 });
    });
    kit.test("experiments-12", "isMember is true for members only; unknown ids give false and null", async () => {
      const exp = sourceExperiment(`KIT-${randomSuffix()}`);
      const { user, stored } = await synced(store(), [exp]);
      const stranger = await newUser(store());
      expect(await store().experiments.isMember(user.id, stored[0]!.id)).toBe(true);
      expect(await store().experiments.isMember(stranger.id, stored[0]!.id)).toBe(false);
      expect(await store().experiments.isMember(user.id, crypto.randomUUID())).toBe(false);
      expect(await store().experiments.get(crypto.randomUUID())).toBeNull();
      expect(await store().experiments.getByProposal("kit", `KIT-NONE-${randomSuffix()}`)).toBeNull();
    });
  });
}
