/**
 * @module The `facility-http` experiment source: pages through the user office's experiments
 * endpoint (bounded), maps the contract's shape to `SourceExperiment`, and never passes the
 * provider's `next`/`previous` links on (it follows page numbers itself, on the configured URL).
 */
import { AppError, UsernameSchema } from "@calipso/core";
import type { ExperimentSource, ProviderContext, SourceExperiment } from "@calipso/core";
import { defineExperimentSource } from "@calipso/sdk";
import { FacilityHttpConfigSchema } from "./config.ts";
import type { FacilityHttpConfigParsed } from "./config.ts";
import { ContractPageSchema, toSourceExperiment } from "./contract.ts";
import { createHttpClient } from "./http-client.ts";
import type { HttpClient } from "./http-client.ts";

const NAME = "facility-http";
const SEEN_LIMIT = 10_000;

/** Query of one listing call (all optional; the contract's parameters). */
export interface ExperimentsQuery {
  readonly search?: string;
  readonly ordering?: string;
  readonly signal?: AbortSignal;
}

/** The experiment source plus the contract-level listing (for tests and tools). */
export interface FacilityHttpExperimentSource extends ExperimentSource {
  /** Every experiment of a user matching the query, paging through the endpoint (bounded). */
  list(username: string, query?: ExperimentsQuery): Promise<SourceExperiment[]>;
}

/** Builds the experiments part from parsed config. */
export function createFacilityHttpExperiments(
  config: FacilityHttpConfigParsed,
  ctx: ProviderContext,
  client: HttpClient = createHttpClient(config.http, ctx, NAME),
): FacilityHttpExperimentSource {
  const log = ctx.logger;
  const template = config.experimentsUrl;
  const opts = config.experiments;
  // The contract has no lookup by proposal id: `get` answers from the experiments this instance
  // listed last (bounded, oldest first out). Calipso itself answers from its store cache.
  const seen = new Map<string, SourceExperiment>();
  const remember = (e: SourceExperiment) => {
    seen.delete(e.proposalId);
    seen.set(e.proposalId, e);
    if (seen.size > SEEN_LIMIT) seen.delete(seen.keys().next().value!);
  };
  let closed = false;

  async function list(username: string, query: ExperimentsQuery = {}): Promise<SourceExperiment[]> {
    if (!template) throw new AppError("UNSUPPORTED", { provider: NAME, detail: "facility-http has no experimentsUrl configured" });
    if (!UsernameSchema.safeParse(username).success) return [];
    const base = template.replaceAll("$USERNAME", encodeURIComponent(username));
    const out = new Map<string, SourceExperiment>();
    let received = 0;
    for (let page = 1; page <= opts.maxPages; page++) {
      const url = new URL(base);
      url.searchParams.set("page", String(page));
      url.searchParams.set("page_size", String(opts.pageSize));
      url.searchParams.set("ordering", query.ordering ?? opts.ordering);
      if (query.search) url.searchParams.set("search", query.search);
      const res = await client.request({
        method: "GET",
        url: url.toString(),
        call: "experiments",
        ...(config.credentials ? { basic: config.credentials } : {}),
        ...(query.signal ? { signal: query.signal } : {}),
      });
      // DRF answers 404 "Invalid page." past the last page; on page 1 the user is unknown there.
      if (res.status === 404) return [...out.values()];
      if (res.status === 401 || res.status === 403) {
        throw new AppError("PROVIDER_ERROR", { provider: NAME, detail: "The user office refused Calipso's credentials (experiments); check facility-http credentials", meta: { status: res.status } });
      }
      if (res.status !== 200) {
        throw new AppError("PROVIDER_ERROR", { provider: NAME, detail: `The user office failed the experiments call (HTTP ${res.status})`, meta: { status: res.status } });
      }
      const parsed = ContractPageSchema.safeParse(res.body);
      if (!parsed.success) throw new AppError("PROVIDER_ERROR", { provider: NAME, detail: "The user office's experiments answer is not a page ({count, next, previous, results})" });
      for (const raw of parsed.data.results) {
        const e = toSourceExperiment(raw, { datasetRoot: opts.datasetRoot, logger: log });
        if (e) {
          out.set(e.proposalId, e); // upsert: a proposal seen twice (pages shifted) is kept once
          remember(e);
        }
      }
      received += parsed.data.results.length;
      const more = parsed.data.next != null && parsed.data.results.length > 0 && (parsed.data.count === undefined || received < parsed.data.count);
      if (!more) return [...out.values()];
      if (received >= opts.maxItems) break;
    }
    log.warn("experiments listing truncated at the configured bounds", { maxPages: opts.maxPages, maxItems: opts.maxItems });
    return [...out.values()].slice(0, opts.maxItems);
  }

  return {
    list,
    listForUser: (username, options) => list(username, options?.signal ? { signal: options.signal } : {}),
    async get(proposalId) {
      return seen.get(proposalId) ?? null;
    },
    async isMember(username, proposalId, options) {
      const signal = options?.signal ? { signal: options.signal } : {};
      const found = opts.membershipCheck === "search" ? await list(username, { search: proposalId, ...signal }) : await list(username, signal);
      return found.some((e) => e.proposalId === proposalId);
    },
    async dispose() {
      if (closed) return;
      closed = true;
      seen.clear();
      await client.close();
    },
  };
}

/**
 * `facility-http` for the `experiments` slot: a user's experiments from the user office.
 *
 * @example
 * // calipso.yaml
 * // experiments: { provider: facility-http, config: { experimentsUrl: "https://uo.example.org/experiments/$USERNAME/" } }
 */
export const facilityHttpExperiments = defineExperimentSource({
  name: NAME,
  description: "A user's experiments from a facility user office over the CalipsoPlus REST contract",
  configSchema: FacilityHttpConfigSchema,
  capabilities: { remote: true },
  create: (config, ctx) => createFacilityHttpExperiments(config, ctx),
});
