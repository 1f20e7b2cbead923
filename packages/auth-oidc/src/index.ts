/** @module @calipso/auth-oidc — OpenID Connect login (authorisation code flow with PKCE) for Calipso. */
import { oidcAuth } from "./oidc.ts";

export { createOidcAuth, oidcAuth } from "./oidc.ts";
export type { OidcAuthProvider, OidcRedirectAuth, OidcTokens } from "./oidc.ts";
export { ClaimMappingSchema, OidcConfigSchema } from "./config.ts";
export type { OidcConfig, OidcConfigParsed } from "./config.ts";
export { claimAt, identityFromClaims } from "./claims.ts";
export { toOidcError } from "./errors.ts";

/** The definitions by config slot (only `auth`). */
export const definitions = { auth: oidcAuth } as const;

export default oidcAuth;
