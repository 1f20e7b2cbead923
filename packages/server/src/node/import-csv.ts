/**
 * @module CSV input of `calipso import`: users, experiments, sessions and memberships in four files
 * (any subset), turned into the `static` provider's format and validated like the YAML input.
 *
 * Columns (header row required; extra columns are refused):
 * - users: `username, displayName, email, roles` (`user admin`, space- or `;`-separated), `mayUseOwnResources` (`true`/`false`)
 * - experiments: `proposalId, title, abstract, beamline, uid, gid`
 * - sessions: `proposalId, sessionId, number, startsAt, endsAt, datasets` (`;`-separated paths)
 * - memberships: `username, proposalId`
 */
import { readFile } from "node:fs/promises";
import { parse } from "csv-parse/sync";
import { AppError, StaticConfigSchema, formatIssues } from "@calipso/core";

const COLUMNS = {
  users: ["username", "displayName", "email", "roles", "mayUseOwnResources"],
  experiments: ["proposalId", "title", "abstract", "beamline", "uid", "gid"],
  sessions: ["proposalId", "sessionId", "number", "startsAt", "endsAt", "datasets"],
  memberships: ["username", "proposalId"],
} as const;

export type CsvFiles = Partial<Record<keyof typeof COLUMNS, string>>;

async function rows(kind: keyof typeof COLUMNS, file: string | undefined): Promise<Record<string, string>[]> {
  if (!file) return [];
  let records: Record<string, string>[];
  try {
    records = parse(await readFile(file, "utf8"), { columns: true, skip_empty_lines: true, trim: true, bom: true }) as Record<string, string>[];
  } catch (cause) {
    throw new AppError("VALIDATION_FAILED", { detail: `${file}: ${(cause as Error).message}`, cause });
  }
  const allowed = new Set<string>(COLUMNS[kind]);
  for (const key of Object.keys(records[0] ?? {})) {
    if (!allowed.has(key)) throw new AppError("VALIDATION_FAILED", { detail: `${file}: unknown column '${key}' (expected ${COLUMNS[kind].join(", ")})` });
  }
  return records;
}

const opt = (v: string | undefined) => (v === undefined || v === "" ? undefined : v);
const list = (v: string | undefined) => (opt(v) ? v!.split(/[;\s]+/).filter(Boolean) : undefined);

/** Reads the CSV files into the `static` provider's format (validated). */
export async function readImportCsv(files: CsvFiles) {
  const users = (await rows("users", files.users)).map((r) => ({
    username: r["username"],
    ...(opt(r["displayName"]) ? { displayName: r["displayName"] } : {}),
    ...(opt(r["email"]) ? { email: r["email"] } : {}),
    ...(list(r["roles"]) ? { roles: list(r["roles"]) } : {}),
    ...(opt(r["mayUseOwnResources"]) ? { mayUseOwnResources: r["mayUseOwnResources"] === "true" } : {}),
  }));
  const sessions = await rows("sessions", files.sessions);
  const experiments = (await rows("experiments", files.experiments)).map((r) => ({
    proposalId: r["proposalId"],
    ...(opt(r["title"]) ? { title: r["title"] } : {}),
    ...(opt(r["abstract"]) ? { abstract: r["abstract"] } : {}),
    ...(opt(r["beamline"]) ? { beamline: r["beamline"] } : {}),
    ...(opt(r["uid"]) || opt(r["gid"]) ? { posix: { uid: Number(r["uid"]), gid: Number(r["gid"]) } } : {}),
    sessions: sessions
      .filter((s) => s["proposalId"] === r["proposalId"])
      .map((s) => ({
        id: s["sessionId"],
        ...(opt(s["number"]) ? { number: s["number"] } : {}),
        ...(opt(s["startsAt"]) ? { startsAt: s["startsAt"] } : {}),
        ...(opt(s["endsAt"]) ? { endsAt: s["endsAt"] } : {}),
        datasets: (opt(s["datasets"]) ? s["datasets"]!.split(";").map((p) => p.trim()).filter(Boolean) : []).map((path) => ({ path })),
      })),
  }));
  const known = new Set(experiments.map((e) => e.proposalId));
  const orphan = sessions.find((s) => !known.has(s["proposalId"] ?? ""));
  if (orphan) throw new AppError("VALIDATION_FAILED", { detail: `${files.sessions}: session '${orphan["sessionId"]}' names unknown experiment '${orphan["proposalId"]}'` });
  const memberships = (await rows("memberships", files.memberships)).map((r) => ({ username: r["username"], proposalId: r["proposalId"] }));
  const parsed = StaticConfigSchema.safeParse({ users, experiments, memberships });
  if (!parsed.success) throw new AppError("VALIDATION_FAILED", { detail: formatIssues(parsed.error) });
  return parsed.data;
}
