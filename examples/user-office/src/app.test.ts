import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { hashOfficePassword } from "./password.ts";
import { startUserOffice } from "./start.ts";
import type { RunningUserOffice } from "./start.ts";
import { loadUserOfficeData } from "./data.ts";
import { fileURLToPath } from "node:url";

const it_ = 1000;
const basic = "Basic " + Buffer.from("svc:svc-pw").toString("base64");
let office: RunningUserOffice;
// eslint-disable-next-line @typescript-eslint/no-explicit-any
const json = async (r: Response | Promise<Response>): Promise<any> => (await r).json();

beforeAll(async () => {
  office = await startUserOffice({
    service: { username: "svc", passwordHash: hashOfficePassword("svc-pw", it_) },
    accounts: [
      { login: "alice", passwordHash: hashOfficePassword("alice-pw", it_), eaaHashes: ["h-alice"], mayUseOwnResources: true },
      { login: "bob", passwordHash: hashOfficePassword("bob-pw", it_) },
    ],
    experiments: [
      { proposal_id: "P3", subject: "Gamma", beam_line: "BL2", members: ["alice"], sessions: [{ session_number: 1, start_date: "2026-01-01T00:00:00Z", data_set_path: { "/a": { bind: "/x", mode: "ro" } }, data_set_path_format: "python" }] },
      { proposal_id: "P1", subject: "Alpha", beam_line: "BL1", members: ["alice", "bob"] },
      { proposal_id: "P2", subject: "Beta", beam_line: "BL9", members: ["alice"] },
    ],
  });
});
afterAll(() => office.close());

const post = (path: string, body: unknown, headers: Record<string, string> = {}) =>
  fetch(office.url + path, { method: "POST", headers: { "content-type": "application/json", ...headers }, body: JSON.stringify(body) });

describe("reference user office", () => {
  it("[uo/login-01] POST /login/ accepts the right password and refuses others", async () => {
    expect((await post("/login/", { username: "alice", password: "alice-pw" })).status).toBe(200);
    expect((await post("/login/", { username: "alice", password: "bob-pw" })).status).toBe(401);
    expect((await post("/login/", { username: "nobody", password: "x" })).status).toBe(401);
    expect((await post("/login/", { user: "alice" })).status).toBe(400);
  });

  it("[uo/hash-01] POST /umbrella/hash/ returns the linked login or 404", async () => {
    const ok = await post("/umbrella/hash/", { eaa_hash: "h-alice" });
    expect(ok.status).toBe(200);
    expect(await ok.json()).toEqual({ login: "alice" });
    expect((await post("/umbrella/hash/", { eaa_hash: "h-unknown" })).status).toBe(404);
    expect((await post("/umbrella/hash/", {})).status).toBe(400);
  });

  it("[uo/authz-01] POST /users/is-authorized/ needs Basic auth and answers {result}", async () => {
    expect((await post("/users/is-authorized/", { login: "alice" })).status).toBe(401);
    expect(await (await post("/users/is-authorized/", { login: "alice" }, { authorization: basic })).json()).toEqual({ result: true });
    expect(await (await post("/users/is-authorized/", { login: "bob" }, { authorization: basic })).json()).toEqual({ result: false });
    expect((await post("/users/is-authorized/", { login: "zed" }, { authorization: basic })).status).toBe(404);
  });

  it("[uo/exp-01] GET /experiments/{login}/ pages, orders and searches like DRF", async () => {
    const get = (q: string) => fetch(`${office.url}/experiments/alice/?${q}`, { headers: { authorization: basic } });
    expect((await fetch(`${office.url}/experiments/alice/`)).status).toBe(401);
    const p1 = await json(get("page=1&page_size=2&ordering=-proposal_id"));
    expect(p1.count).toBe(3);
    expect(p1.results.map((r: { proposal_id: string }) => r.proposal_id)).toEqual(["P3", "P2"]);
    expect(p1.next).toContain("page=2");
    expect(p1.previous).toBeNull();
    const p2 = await json(get("page=2&page_size=2&ordering=-proposal_id"));
    expect(p2.results.map((r: { proposal_id: string }) => r.proposal_id)).toEqual(["P1"]);
    expect(p2.next).toBeNull();
    expect((await get("page=3&page_size=2")).status).toBe(404);
    const s = await json(get("search=bl9"));
    expect(s.results.map((r: { proposal_id: string }) => r.proposal_id)).toEqual(["P2"]);
    expect((await get("ordering=password")).status).toBe(400);
  });

  it("[uo/exp-02] sessions carry the contract's shapes (python-literal data_set_path)", async () => {
    const body = await json(fetch(`${office.url}/experiments/alice/?search=P3`, { headers: { authorization: basic } }));
    expect(body.results[0].sessions[0]).toEqual({
      session_number: 1,
      start_date: "2026-01-01T00:00:00Z",
      end_date: null,
      subject: "",
      body: "",
      data_set_path: "{'/a': {'bind': '/x', 'mode': 'ro'}}",
    });
  });

  it("[uo/data-01] the sample data file is valid", async () => {
    const data = await loadUserOfficeData(fileURLToPath(new URL("../data/sample.yaml", import.meta.url)));
    expect(data.accounts.map((a) => a.login)).toEqual(["alice", "bob"]);
  });
});
