/**
 * @module Query evaluation of the memory store: a user's experiments filtered, searched, sorted
 * and paged in memory, with the same semantics as the SQL store's indexed query.
 */
import { experimentStartsAt } from "../domain/experiment.ts";
import type { Experiment, ExperimentListItem, ExperimentQuery, Page } from "../domain/experiment.ts";

/** One page of `items` (page from 1, page size 1–1000). */
export function page<T>(items: readonly T[], query: { page?: number | undefined; pageSize?: number | undefined }): Page<T> {
  const p = Math.max(1, Math.floor(query.page ?? 1));
  const size = Math.max(1, Math.min(1000, Math.floor(query.pageSize ?? 20)));
  return { items: items.slice((p - 1) * size, p * size), total: items.length, page: p, pageSize: size };
}

/** Case-insensitive substring test; `needle` is already lower-case. */
export function contains(haystack: string | undefined, needle: string): boolean {
  return haystack !== undefined && haystack.toLowerCase().includes(needle);
}

/**
 * The user's experiments (`isMember`) with their favourite flag, searched in proposal id, title and
 * beamline, sorted by `query.sort` (missing values last, ties by proposal id) and paged.
 */
export function queryExperiments(
  experiments: Iterable<Experiment>,
  query: ExperimentQuery,
  user: { isMember(experimentId: string): boolean; isFavourite(experimentId: string): boolean },
): Page<ExperimentListItem> {
  const s = query.search?.toLowerCase();
  const items: ExperimentListItem[] = [];
  for (const e of experiments) {
    if (!user.isMember(e.id)) continue;
    const favourite = user.isFavourite(e.id);
    if (query.favouritesOnly && !favourite) continue;
    if (s && !contains(e.proposalId, s) && !contains(e.title, s) && !contains(e.beamline, s)) continue;
    items.push({ ...e, favourite });
  }
  const dir = query.order === "asc" ? 1 : -1;
  const key = (e: Experiment): string | number | undefined =>
    query.sort === "startsAt" ? experimentStartsAt(e)?.getTime() : query.sort === "beamline" ? e.beamline : e[query.sort];
  items.sort((a, b) => {
    const ka = key(a);
    const kb = key(b);
    if (ka === undefined && kb !== undefined) return 1;
    if (kb === undefined && ka !== undefined) return -1;
    if (ka !== undefined && kb !== undefined && ka !== kb) return (ka < kb ? -1 : 1) * dir;
    return a.proposalId.localeCompare(b.proposalId);
  });
  return page(items, query);
}
