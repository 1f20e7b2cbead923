import { silentLogger } from "@calipso/core";
import { describe, expect, it } from "vitest";
import { parseContractDate, parseDataSetPaths, toSourceExperiment } from "./contract.ts";
import { parsePythonLiteral } from "./python-literal.ts";

const map = (raw: unknown, datasetRoot?: string) => toSourceExperiment(raw, { datasetRoot, logger: silentLogger });

describe("user-office contract mapping", () => {
  it("[fh/contract-01] parses both date formats; no zone means UTC; junk is dropped", () => {
    expect(parseContractDate("2026-03-01T08:00:00Z")).toEqual(new Date("2026-03-01T08:00:00Z"));
    expect(parseContractDate("2026-03-01T08:00:00")).toEqual(new Date("2026-03-01T08:00:00Z"));
    expect(parseContractDate("2026-03-01T08:00:00+0200")).toEqual(new Date("2026-03-01T06:00:00Z"));
    expect(parseContractDate({ year: 2026, month: 4, day: 12 })).toEqual(new Date("2026-04-12T00:00:00Z"));
    expect(parseContractDate({ year: 2026, month: 2, day: 31 })).toBeUndefined();
    expect(parseContractDate("yesterday")).toBeUndefined();
    expect(parseContractDate(null)).toBeUndefined();
  });

  it("[fh/contract-02] data_set_path as JSON, Python literal, list or plain path", () => {
    expect(parseDataSetPaths('{"/d/p1": {"bind": "/data", "mode": "ro"}}')).toEqual(["/d/p1"]);
    expect(parseDataSetPaths("{'/d/p1': {'bind': '/data', 'mode': 'ro', 'x': True, 'y': None}, '/d/p2': {}}")).toEqual(["/d/p1", "/d/p2"]);
    expect(parseDataSetPaths({ "/d/p3": { bind: "/x" } })).toEqual(["/d/p3"]);
    expect(parseDataSetPaths(["/a", "/b"])).toEqual(["/a", "/b"]);
    expect(parseDataSetPaths("/plain/path")).toEqual(["/plain/path"]);
    expect(parseDataSetPaths(null)).toEqual([]);
  });

  it("[fh/contract-03] the Python-literal parser never evaluates and rejects anything but literals", () => {
    expect(parsePythonLiteral("[1, -2.5, 'a\\'b', (1, 2), {}]")).toEqual([1, -2.5, "a'b", [1, 2], {}]);
    for (const bad of ["__import__('os')", "{'a': b}", "{'a': 1", "[1 2]", "'x' + 'y'", "{" .repeat(40)]) {
      expect(() => parsePythonLiteral(bad), bad).toThrow();
    }
  });

  it("[fh/contract-04] maps an experiment; tolerates the sesion_number typo; strings uid/gid", () => {
    const e = map({
      proposal_id: 2026001,
      subject: "Lysozyme",
      body: "Abstract",
      beam_line: "XALOC",
      uid: "2001",
      gid: 3001,
      sessions: [
        { sesion_number: 7, start_date: "2026-03-01T08:00:00Z", end_date: { year: 2026, month: 3, day: 2 }, data_set_path: "{'/beam/p1/s7': {'bind': '/data', 'mode': 'ro'}}" },
        { session_number: "8", data_set_path: null },
      ],
    });
    expect(e).toEqual({
      proposalId: "2026001",
      title: "Lysozyme",
      abstract: "Abstract",
      beamline: "XALOC",
      posix: { uid: 2001, gid: 3001 },
      sessions: [
        { id: "7", number: "7", startsAt: new Date("2026-03-01T08:00:00Z"), endsAt: new Date("2026-03-02T00:00:00Z"), datasets: [{ path: "/beam/p1/s7", readOnly: true }] },
        { id: "8", number: "8", datasets: [] },
      ],
    });
  });

  it("[fh/contract-05] datasetRoot makes paths relative and drops paths outside it", () => {
    const e = map({ proposal_id: "P", sessions: [{ session_number: 1, data_set_path: { "/beam/P/raw": {}, "/etc/shadow": {}, "/beamline/other": {} } }] }, "/beam");
    expect(e?.sessions[0]?.datasets).toEqual([{ path: "P/raw", readOnly: true }]);
  });

  it("[fh/contract-06] skips unusable items instead of failing the listing", () => {
    expect(map({ subject: "no proposal id" })).toBeUndefined();
    expect(map({ proposal_id: "x".repeat(500) })).toBeUndefined();
    expect(map({ proposal_id: "P", uid: "root", gid: 5 })?.posix).toBeUndefined();
    const dup = map({ proposal_id: "P", sessions: [{ session_number: 1 }, { session_number: 1 }, "junk"] });
    expect(dup?.sessions.map((s) => s.id)).toEqual(["1", "1#2"]);
  });
});
