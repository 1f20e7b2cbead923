import { hashOfficePassword, startUserOffice } from "@calipso/example-user-office";
import type { RunningUserOffice, UserOfficeDataInput } from "@calipso/example-user-office";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createTestContext } from "@calipso/sdk/testing";
import { createFacilityHttp, recordingLogger } from "./test-helpers.ts";

const urls: URL[] = [];
let office: RunningUserOffice;
let typo: RunningUserOffice;

const experiments: UserOfficeDataInput["experiments"] = [];
for (let i = 1; i <= 7; i++) {
  experiments.push({
    proposal_id: `2026-00${i}`,
    subject: i === 3 ? "Magnetic domains" : `Study ${i}`,
    beam_line: i % 2 ? "XALOC" : "CIRCE",
    uid: 2000 + i,
    gid: 3000,
    members: i === 7 ? ["bob"] : ["alice", "j.doe@umbrella.eu"],
    sessions: [
      {
        session_number: i,
        start_date: i === 2 ? { year: 2026, month: 5, day: 1 } : `2026-0${(i % 9) + 1}-01T08:00:00Z`,
        data_set_path: { [`/beamlines/2026-00${i}/raw`]: { bind: "/data/raw", mode: "ro" } },
        data_set_path_format: i % 2 ? "python" : "json",
      },
    ],
  });
}

const data = (): UserOfficeDataInput => ({
  service: { username: "calipso", passwordHash: hashOfficePassword("svc-pw", 1000) },
  accounts: [{ login: "alice" }, { login: "bob" }],
  experiments,
});

beforeAll(async () => {
  office = await startUserOffice(data(), { onRequest: (r) => urls.push(new URL(r.url)) });
  typo = await startUserOffice({ ...data(), sessionNumberKey: "sesion_number" });
});
afterAll(async () => {
  await office.close();
  await typo.close();
});

const config = (base = office.url, extra: Record<string, unknown> = {}) => ({
  experimentsUrl: `${base}/experiments/$USERNAME/`,
  credentials: { username: "calipso", password: "svc-pw" },
  experiments: { pageSize: 2, datasetRoot: "/beamlines", ...extra },
});

describe("facility-http experiments against the reference user office", () => {
  it("[fh/exp-01] pages through every page and returns all of the user's experiments once", async () => {
    const logger = recordingLogger();
    const { experiments: source } = await createFacilityHttp(config(), createTestContext({ logger }));
    urls.length = 0;
    const list = await source.listForUser("alice");
    expect(logger.warnings).toEqual([]);
    expect(list.map((e) => e.proposalId).sort()).toEqual(["2026-001", "2026-002", "2026-003", "2026-004", "2026-005", "2026-006"]);
    expect(urls.map((u) => u.searchParams.get("page"))).toEqual(["1", "2", "3"]);
    expect(urls.every((u) => u.searchParams.get("page_size") === "2" && u.searchParams.get("ordering") === "proposal_id")).toBe(true);
  });

  it("[fh/exp-02] maps the contract (python/JSON data_set_path, both date formats, uid/gid)", async () => {
    const { experiments: source } = await createFacilityHttp(config());
    const list = await source.listForUser("alice");
    const e1 = list.find((e) => e.proposalId === "2026-001")!;
    expect(e1).toMatchObject({ title: "Study 1", beamline: "XALOC", posix: { uid: 2001, gid: 3000 } });
    expect(e1.sessions).toEqual([{ id: "1", number: "1", startsAt: new Date("2026-02-01T08:00:00Z"), datasets: [{ path: "2026-001/raw", readOnly: true }] }]);
    const e2 = list.find((e) => e.proposalId === "2026-002")!;
    expect(e2.sessions[0]).toMatchObject({ startsAt: new Date("2026-05-01T00:00:00Z"), datasets: [{ path: "2026-002/raw", readOnly: true }] });
  });

  it("[fh/exp-03] tolerates the API.md `sesion_number` spelling", async () => {
    const { experiments: source } = await createFacilityHttp(config(typo.url));
    const list = await source.listForUser("bob");
    expect(list).toHaveLength(1);
    expect(list[0]!.sessions[0]).toMatchObject({ id: "7", number: "7" });
  });

  it("[fh/exp-04] search and ordering are sent as the contract's parameters", async () => {
    const { experiments: source } = await createFacilityHttp(config());
    urls.length = 0;
    const found = await source.list("alice", { search: "magnetic", ordering: "-beam_line" });
    expect(found.map((e) => e.proposalId)).toEqual(["2026-003"]);
    expect(urls[0]!.searchParams.get("search")).toBe("magnetic");
    expect(urls[0]!.searchParams.get("ordering")).toBe("-beam_line");
    const ordered = await source.list("alice", { ordering: "-proposal_id" });
    expect(ordered.map((e) => e.proposalId)).toEqual(["2026-006", "2026-005", "2026-004", "2026-003", "2026-002", "2026-001"]);
  });

  it("[fh/exp-05] $USERNAME is URL-encoded; an unknown user has no experiments", async () => {
    const { experiments: source } = await createFacilityHttp(config());
    urls.length = 0;
    expect((await source.listForUser("j.doe@umbrella.eu")).length).toBe(6);
    expect(urls[0]!.pathname).toBe("/experiments/j.doe%40umbrella.eu/");
    expect(await source.listForUser("nobody")).toEqual([]);
    expect(await source.listForUser("a/../b")).toEqual([]);
  });

  it("[fh/exp-06] isMember asks the user office again, exactly", async () => {
    const { experiments: source } = await createFacilityHttp(config());
    urls.length = 0;
    expect(await source.isMember("alice", "2026-003")).toBe(true);
    expect(urls.length).toBeGreaterThan(0);
    expect(await source.isMember("alice", "2026-007")).toBe(false);
    expect(await source.isMember("bob", "2026-007")).toBe(true);
    expect(await source.isMember("alice", "2026-00")).toBe(false);
    const { experiments: full } = await createFacilityHttp(config(office.url, { membershipCheck: "list" }));
    expect(await full.isMember("alice", "2026-006")).toBe(true);
    expect(await full.isMember("bob", "2026-006")).toBe(false);
  });

  it("[fh/exp-07] maxPages bounds the listing", async () => {
    const { experiments: source } = await createFacilityHttp(config(office.url, { maxPages: 2 }));
    urls.length = 0;
    expect(await source.listForUser("alice")).toHaveLength(4);
    expect(urls).toHaveLength(2);
  });

  it("[fh/exp-08] wrong service credentials give PROVIDER_ERROR", async () => {
    const { experiments: source } = await createFacilityHttp({ ...config(), credentials: { username: "calipso", password: "nope" } });
    await expect(source.listForUser("alice")).rejects.toMatchObject({ code: "PROVIDER_ERROR" });
  });

  it("[fh/exp-09] get() answers from what the instance last listed (the contract has no lookup by id)", async () => {
    const { experiments: source } = await createFacilityHttp(config());
    expect(await source.get("2026-001")).toBeNull();
    await source.listForUser("alice");
    expect((await source.get("2026-001"))?.title).toBe("Study 1");
    expect(await source.get("2026-999")).toBeNull();
  });
});
