import { describe, expect, it } from "vitest";
import { instantiate } from "../provider.ts";
import { testContext } from "../testing/context.ts";
import { staticExperiments } from "./experiments.ts";
import { staticDefinitions } from "./index.ts";

const config = {
  experiments: [
    {
      proposalId: "P-1",
      title: "Protein crystals",
      beamline: "BL13",
      posix: { uid: 2001, gid: 3001 },
      sessions: [{ id: "s1", number: "1", startsAt: "2026-03-01T08:00:00Z", endsAt: "2026-03-02T08:00:00Z", datasets: [{ path: "P-1/s1/raw" }] }],
    },
    { proposalId: "P-2", title: "Magnetism" },
  ],
  memberships: [
    { username: "alice", proposalId: "P-1" },
    { username: "alice", proposalId: "P-2" },
    { username: "bob", proposalId: "P-2" },
  ],
};

describe("static experiment source", () => {
  it("[static/exp-01] lists exactly the user's experiments with sessions, dates and read-only datasets", async () => {
    const source = await instantiate(staticExperiments, config, testContext());
    const alice = await source.listForUser("alice");
    expect(alice.map((e) => e.proposalId).sort()).toEqual(["P-1", "P-2"]);
    const p1 = alice.find((e) => e.proposalId === "P-1")!;
    expect(p1).toMatchObject({ title: "Protein crystals", beamline: "BL13", posix: { uid: 2001, gid: 3001 } });
    expect(p1.sessions[0]!.startsAt).toEqual(new Date("2026-03-01T08:00:00Z"));
    expect(p1.sessions[0]!.datasets).toEqual([{ path: "P-1/s1/raw", readOnly: true }]);
    expect((await source.listForUser("bob")).map((e) => e.proposalId)).toEqual(["P-2"]);
    expect(await source.listForUser("nobody")).toEqual([]);
  });

  it("[static/exp-02] get and isMember", async () => {
    const source = await instantiate(staticExperiments, config, testContext());
    expect((await source.get("P-2"))?.title).toBe("Magnetism");
    expect(await source.get("P-404")).toBeNull();
    expect(await source.isMember("bob", "P-2")).toBe(true);
    expect(await source.isMember("bob", "P-1")).toBe(false);
    expect(await source.isMember("bob", "P-404")).toBe(false);
  });

  it("[static/exp-03] refuses memberships of unknown experiments and duplicate proposals", async () => {
    await expect(instantiate(staticExperiments, { memberships: [{ username: "a", proposalId: "X" }] }, testContext())).rejects.toMatchObject({ code: "INVALID_CONFIG" });
    await expect(instantiate(staticExperiments, { experiments: [{ proposalId: "X" }, { proposalId: "X" }] }, testContext())).rejects.toMatchObject({ code: "INVALID_CONFIG" });
  });

  it("[static/exp-04] staticDefinitions maps each config slot to its kind", () => {
    expect(staticDefinitions.auth.kind).toBe("auth");
    expect(staticDefinitions.experiments.kind).toBe("experiments");
    expect(staticDefinitions.auth.name).toBe("static");
    expect(staticDefinitions.experiments.name).toBe("static");
  });
});
