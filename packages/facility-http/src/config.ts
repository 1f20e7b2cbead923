/**
 * @module Configuration of the `facility-http` provider: one shape for its auth and experiments
 * parts, so one block in the server config can feed both slots.
 */
import { z } from "zod";
import { parseProxyEntry } from "./proxies.ts";

const EndpointSchema = z.url({ protocol: /^https?$/ });

/** HTTP client settings: timeouts, retries, response size cap, custom CA. */
export const HttpSettingsSchema = z.strictObject({
  timeoutMs: z.number().int().min(100).max(120_000).default(5_000).describe("Total time for one request, connection and body included (ms)"),
  connectTimeoutMs: z
    .number()
    .int()
    .min(100)
    .max(120_000)
    .optional()
    .describe("Time to establish the connection (ms); absent: bounded by timeoutMs only. Setting it uses an undici dispatcher (Node)"),
  retries: z.number().int().min(0).max(5).default(2).describe("Extra attempts for GET requests after a connection error or a 502/503/504 (never after a timeout, never for POST)"),
  retryBackoffMs: z.number().int().min(0).max(10_000).default(200).describe("First retry delay (ms); doubled for each further retry, with jitter"),
  maxResponseBytes: z.number().int().min(1_024).max(100 * 1024 * 1024).default(5 * 1024 * 1024).describe("Largest response body accepted (bytes); larger bodies are cut off and refused"),
  caCert: z.string().min(1).optional().describe("PEM CA certificate(s) to trust for HTTPS endpoints (use ${file:/path} in the server config). Uses an undici dispatcher (Node)"),
});
export type HttpSettings = z.output<typeof HttpSettingsSchema>;

/** Config shared by `facilityHttpAuth` and `facilityHttpExperiments`. */
export const FacilityHttpConfigSchema = z
  .strictObject({
    loginUrl: EndpointSchema.optional().describe("Password login endpoint (seed: BACKEND_UO_LOGIN); POST {username, password}, 200 = accepted"),
    umbrellaHashUrl: EndpointSchema.optional().describe("Umbrella hash endpoint (seed: BACKEND_UO_HASH); POST {eaa_hash}, 200 {login}"),
    isAuthorizedUrl: EndpointSchema.optional().describe("'May use own resources' endpoint (seed: BACKEND_UO_IS_AUTHORIZED); POST {login} with Basic auth, 200 {result}"),
    experimentsUrl: z
      .string()
      .regex(/^https?:\/\/[^\s]+$/, "must be an http(s) URL")
      .refine((v) => v.includes("$USERNAME"), "must contain the $USERNAME placeholder")
      .optional()
      .describe("Experiments endpoint with a $USERNAME placeholder (seed: DYNAMIC_EXPERIMENTS_DATA_RETRIEVAL_ENDPOINT); GET with Basic auth"),
    credentials: z
      .strictObject({
        username: z.string().min(1).max(256).describe("HTTP Basic user (seed: LOCAL_ACCESS_USERNAME)"),
        password: z.string().min(1).max(1024).describe("HTTP Basic password (seed: LOCAL_ACCESS_PASSWORD); use ${file:/run/secrets/uo} or ${ENV}"),
      })
      .optional()
      .describe("HTTP Basic credentials for isAuthorizedUrl and experimentsUrl; never logged"),
    ownResourcesDefault: z
      .boolean()
      .optional()
      .describe("Answer 'may use own resources' without asking (seed: BACKEND_DEFAULT_AUTHORIZATION=1 is true); absent: ask isAuthorizedUrl, or false without it"),
    umbrella: z
      .strictObject({
        hashAttribute: z.string().min(1).default("EAAHash").describe("Header/attribute carrying the Umbrella EAA hash"),
        uidAttribute: z.string().min(1).default("uid").describe("Header/attribute carrying the SP's uid; only compared and logged, never trusted as the login"),
        trustedProxies: z
          .array(z.string().refine((v) => parseProxyEntry(v) !== undefined, "must be an IPv4/IPv6 address or CIDR"))
          .default([])
          .describe("Addresses or CIDRs of the Shibboleth SP proxies; when non-empty, federated logins from any other address are refused (the server filters as well)"),
      })
      .prefault({})
      .describe("Umbrella (Shibboleth SP) federated login"),
    experiments: z
      .strictObject({
        pageSize: z.number().int().min(1).max(1_000).default(100).describe("page_size asked for when paging through the experiments endpoint"),
        maxPages: z.number().int().min(1).max(1_000).default(50).describe("Most pages read for one user (bounds a misbehaving user office)"),
        maxItems: z.number().int().min(1).max(100_000).default(5_000).describe("Most experiments read for one user"),
        ordering: z.string().regex(/^-?[a-z_]+$/).default("proposal_id").describe("ordering asked for (stable paging)"),
        membershipCheck: z
          .enum(["search", "list"])
          .default("search")
          .describe("How isMember asks: 'search' sends search=<proposal id> and checks for an exact match; 'list' reads the whole listing"),
        datasetRoot: z
          .string()
          .regex(/^\//, "must be absolute")
          .optional()
          .describe("Host prefix of data_set_path keys; it is removed so datasets become relative to Calipso's data root, and keys outside it are dropped"),
      })
      .prefault({})
      .describe("Reading experiments"),
    http: HttpSettingsSchema.prefault({}).describe("HTTP client settings"),
  })
  .describe("A facility user office that speaks the CalipsoPlus user-office REST contract");

export type FacilityHttpConfig = z.input<typeof FacilityHttpConfigSchema>;
export type FacilityHttpConfigParsed = z.output<typeof FacilityHttpConfigSchema>;
