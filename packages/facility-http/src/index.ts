/**
 * @module @calipso/facility-http — a facility user office over the CalipsoPlus user-office REST
 * contract. Two definitions share one config: `facilityHttpAuth` (slot `auth`) and
 * `facilityHttpExperiments` (slot `experiments`); `definitions` maps a slot to its definition and
 * the default export is the auth definition.
 */
import { facilityHttpAuth } from "./auth.ts";
import { facilityHttpExperiments } from "./experiments.ts";

export { createFacilityHttpAuth, facilityHttpAuth } from "./auth.ts";
export { createFacilityHttpExperiments, facilityHttpExperiments } from "./experiments.ts";
export type { ExperimentsQuery, FacilityHttpExperimentSource } from "./experiments.ts";
export { FacilityHttpConfigSchema, HttpSettingsSchema } from "./config.ts";
export type { FacilityHttpConfig, FacilityHttpConfigParsed, HttpSettings } from "./config.ts";
export { createHttpClient } from "./http-client.ts";
export type { HttpClient, HttpRequest, HttpResponse } from "./http-client.ts";
export { parseContractDate, parseDataSetPaths, toSourceExperiment } from "./contract.ts";
export { parsePythonLiteral } from "./python-literal.ts";

/** The definitions by config slot: the server resolves `facility-http` as `definitions[slot]`. */
export const definitions = { auth: facilityHttpAuth, experiments: facilityHttpExperiments } as const;

export default facilityHttpAuth;
