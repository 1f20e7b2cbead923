import { describe, expect, it } from "vitest";
import { AppError } from "../errors.ts";
import type { Experiment } from "../domain/experiment.ts";
import { checkMountConfig, resolveMounts, safeSegment, safeSubPath } from "./mounts.ts";

const config = { dataRoot: "/srv/data", outputRoot: "/srv/output", homeRoot: "/srv/home" };

function experiment(paths: string[], proposalId = "P1"): Experiment {
  return { id: "e1", source: "s", proposalId, title: "t", sessions: [{ id: "s1", datasets: paths.map((path) => ({ path, readOnly: true as const })) }] };
}

describe("mounts never escape their roots", () => {
  const refused: [string, string, "FORBIDDEN" | "VALIDATION_FAILED"][] = [
    ["parent segment", "../etc", "FORBIDDEN"],
    ["parent inside", "P1/../../etc/shadow", "FORBIDDEN"],
    ["parent at end", "P1/..", "FORBIDDEN"],
    ["absolute outside", "/etc/passwd", "FORBIDDEN"],
    ["absolute sibling with common prefix", "/srv/database/x", "FORBIDDEN"],
    ["absolute escaping after the root", "/srv/data/../output/P2", "FORBIDDEN"],
    ["absolute root itself", "/srv/data", "FORBIDDEN"],
    ["relative root itself", ".", "FORBIDDEN"],
    ["only slashes", "///", "FORBIDDEN"],
    ["encoded dots", "%2e%2e/etc", "VALIDATION_FAILED"],
    ["encoded dots upper case", "%2E%2E/etc", "VALIDATION_FAILED"],
    ["encoded slash", "..%2fetc", "VALIDATION_FAILED"],
    ["encoded slash alone", "P1%2f..%2f..%2fetc", "VALIDATION_FAILED"],
    ["double-encoded", "%252e%252e/etc", "VALIDATION_FAILED"],
    ["backslash", "..\\etc", "VALIDATION_FAILED"],
    ["windows absolute", "C:\\Windows", "VALIDATION_FAILED"],
    ["NUL", "P1/raw\u0000/../../etc", "VALIDATION_FAILED"],
    ["newline", "P1/raw\n", "VALIDATION_FAILED"],
    ["mixed", "P1/./%2e./..\\x", "VALIDATION_FAILED"],
    ["empty", "", "VALIDATION_FAILED"],
    ["too long", `P1/${"a".repeat(5000)}`, "VALIDATION_FAILED"],
  ];

  it.each(refused)("refuses a dataset path with %s: %j", (_name, path, code) => {
    let error: unknown;
    try {
      resolveMounts({ config, username: "alice", experiment: experiment([path]) });
    } catch (e) {
      error = e;
    }
    expect(AppError.is(error, code)).toBe(true);
    expect((error as AppError).detail).toBeTruthy();
  });

  const accepted: [string, string][] = [
    ["P1/s1/raw", "P1/s1/raw"],
    ["./P1//s1/./raw/", "P1/s1/raw"],
    ["/srv/data/P1/raw", "P1/raw"],
    ["P1/...", "P1/..."],
    ["P1/..hidden", "P1/..hidden"],
    ["P1/a%b", "P1/a%b"],
  ];

  it.each(accepted)("accepts %j as %j under the data root", (path, sub) => {
    const [m] = resolveMounts({ config, username: "alice", experiment: experiment([path]) });
    expect(m).toEqual({ kind: "dataset", volume: "data", subPath: sub, hostPath: `/srv/data/${sub}`, target: `/data/${sub}`, readOnly: true });
    expect(m!.hostPath.startsWith("/srv/data/")).toBe(true);
  });

  it("sanitises proposal ids and usernames into single safe segments", () => {
    const mounts = resolveMounts({ config, username: "..", experiment: experiment([], "../../etc") });
    for (const m of mounts) {
      expect(m.hostPath.split("/")).not.toContain("..");
      expect(m.hostPath.startsWith(m.kind === "home" ? "/srv/home/" : "/srv/output/")).toBe(true);
    }
    expect(safeSegment("..")).toBe("___");
    expect(safeSegment(".")).toBe("__");
    expect(safeSegment("a/b\\c")).toBe("a_b_c");
    expect(safeSegment("jane.doe@esrf.fr")).toBe("jane.doe@esrf.fr");
    expect(safeSegment("")).toBe("_");
  });

  it("mounts output per experiment and user, home per user, datasets read-only and deduplicated", () => {
    const mounts = resolveMounts({ config, username: "alice", experiment: experiment(["P1/raw", "/srv/data/P1/raw"]) });
    expect(mounts.map((m) => [m.kind, m.hostPath, m.target, m.readOnly])).toEqual([
      ["dataset", "/srv/data/P1/raw", "/data/P1/raw", true],
      ["output", "/srv/output/P1/alice", "/output", false],
      ["home", "/srv/home/alice", "/home/calipso", false],
    ]);
    expect(resolveMounts({ config: { dataRoot: "/d", outputRoot: "/o" }, username: "bob" })).toEqual([]);
  });

  it("mounts only the chosen session's datasets", () => {
    const e: Experiment = { ...experiment([]), sessions: [
      { id: "s1", datasets: [{ path: "a", readOnly: true }] },
      { id: "s2", datasets: [{ path: "b", readOnly: true }] },
    ] };
    const subPaths = (sessionId?: string) =>
      resolveMounts({ config, username: "u", experiment: e, ...(sessionId ? { sessionId } : {}) }).filter((m) => m.kind === "dataset").map((m) => m.subPath);
    expect(subPaths("s2")).toEqual(["b"]);
    expect(subPaths()).toEqual(["a", "b"]);
  });

  it("refuses mount roots that are not absolute normalised paths", () => {
    for (const dataRoot of ["relative", "/srv/../etc", "/srv/data/", "/", "/srv//data", "/srv/%2e%2e"]) {
      expect(() => checkMountConfig({ ...config, dataRoot })).toThrow(AppError);
    }
    expect(() => checkMountConfig(config)).not.toThrow();
  });

  it("normalises directly with safeSubPath", () => {
    expect(safeSubPath("a/./b", "/r")).toBe("a/b");
    expect(() => safeSubPath("/r2/a", "/r")).toThrow(/outside/);
  });
});
