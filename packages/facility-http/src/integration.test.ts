/**
 * facility-http inside core's use cases (memory store and fake compute from @calipso/core/testing), against the
 * reference user office: Umbrella logins end to end, the experiments cache, and the checks at launch.
 */
import { createTestCalipso } from "@calipso/core/testing";
import type { TestCalipso } from "@calipso/core/testing";
import { hashOfficePassword, startUserOffice } from "@calipso/example-user-office";
import type { RunningUserOffice } from "@calipso/example-user-office";
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { createFacilityHttp } from "./test-helpers.ts";

let office: RunningUserOffice;
let experimentCalls = 0;
let t: TestCalipso;

beforeAll(async () => {
  office = await startUserOffice(
    {
      service: { username: "calipso", passwordHash: hashOfficePassword("svc-pw", 1000) },
      accounts: [
        { login: "alice", passwordHash: hashOfficePassword("alice-pw", 1000), eaaHashes: ["hash-alice"], mayUseOwnResources: true },
        { login: "bob", passwordHash: hashOfficePassword("bob-pw", 1000), eaaHashes: ["hash-bob"] },
      ],
      experiments: [
        { proposal_id: "UO-1", subject: "Alice one", beam_line: "XALOC", uid: 2001, gid: 3001, members: ["alice"], sessions: [{ session_number: 1, data_set_path: "{'/beam/UO-1/s1': {'bind': '/data', 'mode': 'ro'}}" }] },
        { proposal_id: "UO-2", subject: "Alice two", members: ["alice"] },
        { proposal_id: "UO-3", subject: "Bob's", members: ["bob"] },
      ],
    },
    { onRequest: (r) => void (new URL(r.url).pathname.startsWith("/experiments/") && experimentCalls++) },
  );
});
afterAll(() => office.close());

beforeEach(async () => {
  const { auth, experiments } = await createFacilityHttp({
    loginUrl: `${office.url}/login/`,
    umbrellaHashUrl: `${office.url}/umbrella/hash/`,
    isAuthorizedUrl: `${office.url}/users/is-authorized/`,
    experimentsUrl: `${office.url}/experiments/$USERNAME/`,
    credentials: { username: "calipso", password: "svc-pw" },
    experiments: { pageSize: 1, datasetRoot: "/beam" },
  });
  t = await createTestCalipso({ deps: { auth, experiments: { name: "uo", source: experiments, cacheTtlSec: 60 } } });
  experimentCalls = 0;
});

describe("facility-http in core's use cases", () => {
  it("[fh/int-01][S1] an Umbrella login with a forged uid creates the user office's user, not the uid", async () => {
    const { user } = await t.calipso.login({ method: "federated", attributes: { eaahash: "hash-bob", uid: "alice" }, remoteAddress: "127.0.0.1" });
    expect(user.username).toBe("bob");
    expect(await t.store.users.getByUsername("alice")).toBeNull();
  });

  it("[fh/int-02] experiments are read once per TTL, paged, and stored without duplicates", async () => {
    const { user } = await t.calipso.login({ method: "password", username: "alice", password: "alice-pw" });
    const first = await t.calipso.listExperiments(user, { pageSize: 10 });
    expect(first.total).toBe(2);
    const callsAfterFirst = experimentCalls;
    expect(callsAfterFirst).toBeGreaterThanOrEqual(2); // page_size 1: at least two pages
    const second = await t.calipso.listExperiments(user, { pageSize: 10, search: "two" });
    expect(second.items.map((e) => e.proposalId)).toEqual(["UO-2"]);
    expect(experimentCalls).toBe(callsAfterFirst); // served from the store cache
    t.clock.advance(61_000);
    const third = await t.calipso.listExperiments(user, { pageSize: 10 });
    expect(experimentCalls).toBeGreaterThan(callsAfterFirst);
    expect(third.total).toBe(2);
    const p1 = first.items.find((e) => e.proposalId === "UO-1")!;
    expect(p1.sessions[0]!.datasets).toEqual([{ path: "UO-1/s1", readOnly: true }]);
    expect(JSON.stringify(first)).not.toContain(office.url); // no provider links reach clients
  });

  it("[fh/int-03] launch asks the user office again: a member may launch, another user may not", async () => {
    const { user: alice } = await t.calipso.login({ method: "password", username: "alice", password: "alice-pw" });
    const { user: bob } = await t.calipso.login({ method: "password", username: "bob", password: "bob-pw" });
    const page = await t.calipso.listExperiments(alice, {});
    const uo1 = page.items.find((e) => e.proposalId === "UO-1")!;
    const calls = experimentCalls;
    const instance = await t.calipso.launch(alice, { template: "desk", experimentId: uo1.id });
    expect(instance.owner).toBeDefined();
    expect(experimentCalls).toBeGreaterThan(calls); // membership asked at launch, not taken from the cache
    await expect(t.calipso.launch(bob, { template: "desk", experimentId: uo1.id })).rejects.toMatchObject({ code: expect.stringMatching(/FORBIDDEN|NOT_FOUND/) });
    await t.calipso.idle();
  });

  it("[fh/int-04][S2] 'own resources' is enforced at launch from the user office's live answer", async () => {
    const { user: alice } = await t.calipso.login({ method: "password", username: "alice", password: "alice-pw" });
    const { user: bob } = await t.calipso.login({ method: "password", username: "bob", password: "bob-pw" });
    await expect(t.calipso.launch(bob, { template: "desk" })).rejects.toMatchObject({ code: "FORBIDDEN" });
    await expect(t.calipso.launch(alice, { template: "desk" })).resolves.toBeDefined();
    await t.calipso.idle();
  });
});
