/**
 * @module The user-office contract's response shapes (zod, tolerant of the seed's quirks) and
 * their mapping to Calipso's `SourceExperiment`.
 */
import { SourceExperimentSchema, UsernameSchema } from "@calipso/core";
import type { Logger, SourceExperiment } from "@calipso/core";
import { z } from "zod";
import { parsePythonLiteral } from "./python-literal.ts";

const Scalar = z.union([z.string(), z.number()]);
const DateDict = z.object({ year: z.number().int(), month: z.number().int(), day: z.number().int() });

/** A session as the contract sends it (`session_number` or API.md's `sesion_number`). */
export const ContractSessionSchema = z.looseObject({
  session_number: Scalar.nullish(),
  sesion_number: Scalar.nullish(),
  start_date: z.union([z.string(), DateDict]).nullish(),
  end_date: z.union([z.string(), DateDict]).nullish(),
  subject: z.string().nullish(),
  body: z.string().nullish(),
  data_set_path: z.union([z.string(), z.record(z.string(), z.unknown()), z.array(z.unknown())]).nullish(),
});

/** An experiment (proposal) as the contract sends it. */
export const ContractExperimentSchema = z.looseObject({
  proposal_id: Scalar,
  subject: z.string().nullish(),
  body: z.string().nullish(),
  beam_line: z.string().nullish(),
  uid: Scalar.nullish(),
  gid: Scalar.nullish(),
  sessions: z.array(z.unknown()).nullish(),
});

/** One page of the experiments endpoint (DRF pagination); `next`/`previous` are read, never passed on. */
export const ContractPageSchema = z.looseObject({
  count: z.number().int().min(0).optional(),
  next: z.string().nullish(),
  previous: z.string().nullish(),
  results: z.array(z.unknown()),
});

/** The Umbrella hash answer: `{login}` (also a bare JSON string). */
export const ContractHashAnswerSchema = z.union([z.looseObject({ login: UsernameSchema }), UsernameSchema.transform((login) => ({ login }))]);

/** The is-authorized answer. */
export const ContractAuthorizedSchema = z.looseObject({ result: z.boolean() });

const DATE_RE = /^(\d{4})-(\d{2})-(\d{2})(?:[T ](\d{2}):(\d{2})(?::(\d{2})(?:\.\d+)?)?)?(Z|[+-]\d{2}:?\d{2})?$/;

/** Parses `%Y-%m-%dT%H:%M:%SZ` (or any ISO 8601 date/date-time; no zone = UTC) or `{year, month, day}`. */
export function parseContractDate(value: unknown): Date | undefined {
  if (value === null || value === undefined || value === "") return undefined;
  if (typeof value === "object") {
    const d = DateDict.safeParse(value);
    if (!d.success) return undefined;
    const date = new Date(Date.UTC(d.data.year, d.data.month - 1, d.data.day));
    return date.getUTCMonth() === d.data.month - 1 ? date : undefined;
  }
  if (typeof value !== "string") return undefined;
  const m = DATE_RE.exec(value.trim());
  if (!m) return undefined;
  const zone = m[7] ?? "Z";
  const iso = `${m[1]}-${m[2]}-${m[3]}T${m[4] ?? "00"}:${m[5] ?? "00"}:${m[6] ?? "00"}${zone.length === 5 ? `${zone.slice(0, 3)}:${zone.slice(3)}` : zone}`;
  const date = new Date(iso);
  return Number.isNaN(date.getTime()) ? undefined : date;
}

/**
 * The dataset paths of a `data_set_path`: a Docker volume dict (`{host: {bind, mode}}`) as an
 * object, JSON text or Python-literal text; a list of paths; or one plain path.
 */
export function parseDataSetPaths(value: unknown): string[] {
  if (value === null || value === undefined || value === "") return [];
  let v: unknown = value;
  if (typeof v === "string") {
    const text = v.trim();
    if (text.startsWith("{") || text.startsWith("[")) {
      try {
        v = JSON.parse(text);
      } catch {
        v = parsePythonLiteral(text);
      }
    } else return [text];
  }
  if (Array.isArray(v)) return v.filter((p): p is string => typeof p === "string" && p.length > 0);
  if (v && typeof v === "object") return Object.keys(v).filter((k) => k.length > 0);
  return [];
}

function posixOf(uid: unknown, gid: unknown): { uid: number; gid: number } | undefined {
  const n = (x: unknown) => (typeof x === "number" ? x : typeof x === "string" && /^\d+$/.test(x.trim()) ? Number(x) : Number.NaN);
  const u = n(uid);
  const g = n(gid);
  return Number.isInteger(u) && Number.isInteger(g) && u >= 0 && g >= 0 && u < 2 ** 31 && g < 2 ** 31 ? { uid: u, gid: g } : undefined;
}

/** Options of {@link toSourceExperiment}. */
export interface MappingOptions {
  /** Host prefix removed from dataset paths; paths outside it are dropped. */
  readonly datasetRoot?: string | undefined;
  readonly logger: Logger;
}

function relativeTo(path: string, root: string | undefined): string | undefined {
  if (root === undefined) return path;
  const base = root.endsWith("/") ? root : `${root}/`;
  if (!path.startsWith(base)) return undefined;
  const rest = path.slice(base.length);
  return rest === "" ? undefined : rest;
}

/** Maps one contract experiment to a `SourceExperiment`; `undefined` (and a warning) when it is unusable. */
export function toSourceExperiment(raw: unknown, options: MappingOptions): SourceExperiment | undefined {
  const parsed = ContractExperimentSchema.safeParse(raw);
  if (!parsed.success) {
    options.logger.warn("skipping an experiment the user office sent in an unknown shape", { issues: parsed.error.issues.length });
    return undefined;
  }
  const e = parsed.data;
  const sessions: SourceExperiment["sessions"] = [];
  (e.sessions ?? []).forEach((rawSession, index) => {
    const s = ContractSessionSchema.safeParse(rawSession);
    if (!s.success) {
      options.logger.warn("skipping a session in an unknown shape", { proposalId: String(e.proposal_id), index });
      return;
    }
    const number = s.data.session_number ?? s.data.sesion_number;
    let paths: string[] = [];
    try {
      paths = parseDataSetPaths(s.data.data_set_path);
    } catch {
      options.logger.warn("ignoring an unreadable data_set_path", { proposalId: String(e.proposal_id), index });
    }
    const datasets = paths.flatMap((p) => {
      const rel = relativeTo(p, options.datasetRoot);
      if (rel === undefined) options.logger.warn("dropping a dataset outside datasetRoot", { proposalId: String(e.proposal_id) });
      return rel === undefined ? [] : [{ path: rel, readOnly: true as const }];
    });
    let id = number !== null && number !== undefined ? String(number) : String(index + 1);
    if (sessions.some((x) => x.id === id)) id = `${id}#${index + 1}`; // ids stay unique within the experiment
    const session: SourceExperiment["sessions"][number] = { id, datasets };
    if (number !== null && number !== undefined) session.number = String(number);
    const startsAt = parseContractDate(s.data.start_date);
    const endsAt = parseContractDate(s.data.end_date);
    if (startsAt) session.startsAt = startsAt;
    if (endsAt) session.endsAt = endsAt;
    sessions.push(session);
  });
  const candidate: Record<string, unknown> = { proposalId: String(e.proposal_id), title: e.subject ?? "", sessions };
  if (e.body) candidate.abstract = e.body;
  if (e.beam_line) candidate.beamline = e.beam_line;
  const posix = posixOf(e.uid, e.gid);
  if (posix) candidate.posix = posix;
  const result = SourceExperimentSchema.safeParse(candidate);
  if (!result.success) {
    options.logger.warn("skipping an experiment that does not fit Calipso's limits", { proposalId: String(e.proposal_id).slice(0, 128) });
    return undefined;
  }
  return result.data;
}
