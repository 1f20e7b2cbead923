/**
 * @module The built-in `static` facility provider. It has two definitions sharing one config:
 * `staticAuth` (kind `auth`) and `staticExperiments` (kind `experiments`), both named `static`;
 * `staticDefinitions` maps a config slot to its definition.
 */
import { staticAuth } from "./auth.ts";
import { staticExperiments } from "./experiments.ts";

export { createStaticAuth, staticAuth } from "./auth.ts";
export { createStaticExperiments, staticExperiments } from "./experiments.ts";
export {
  StaticConfigSchema,
  StaticDatasetSchema,
  StaticExperimentSchema,
  StaticMembershipSchema,
  StaticSessionSchema,
  StaticUserSchema,
} from "./config.ts";
export type { StaticConfig, StaticConfigParsed } from "./config.ts";
export {
  DEFAULT_PBKDF2_ITERATIONS,
  MAX_PBKDF2_ITERATIONS,
  MIN_PBKDF2_ITERATIONS,
  PASSWORD_HASH_PATTERN,
  PASSWORD_HASH_SCHEME,
  hashPassword,
  parsePasswordHash,
  verifyPassword,
} from "./password.ts";
export type { ParsedPasswordHash } from "./password.ts";

/** The `static` definitions by config slot: the server resolves `static` as `staticDefinitions[slot]`. */
export const staticDefinitions = { auth: staticAuth, experiments: staticExperiments } as const;
