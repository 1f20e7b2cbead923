/** @module Configuration of the `oidc` auth provider. */
import { z } from "zod";

const LOOPBACK = new Set(["localhost", "127.0.0.1", "[::1]"]);

/** How ID-token / userinfo claims become a Calipso identity. */
export const ClaimMappingSchema = z.strictObject({
  username: z.string().min(1).default("preferred_username").describe("Claim holding the login name (it must be a valid Calipso username)"),
  displayName: z.string().min(1).default("name").describe("Claim holding the name to show"),
  email: z.string().min(1).default("email").describe("Claim holding the e-mail address"),
  roles: z.string().min(1).default("groups").describe("Claim holding the user's groups or roles (an array of strings; dotted paths like realm_access.roles work)"),
  adminValues: z.array(z.string().min(1)).default([]).describe("Values of the roles claim that make a user a Calipso admin"),
  lowercaseUsername: z.boolean().default(false).describe("Lower-case the username claim before use"),
});

/** Config of the `oidc` provider. */
export const OidcConfigSchema = z
  .strictObject({
    issuer: z.url({ protocol: /^https?$/ }).describe("Issuer URL of the OpenID provider (discovery at <issuer>/.well-known/openid-configuration)"),
    clientId: z.string().min(1).max(512).describe("Client id registered at the OpenID provider"),
    clientSecret: z
      .string()
      .min(1)
      .max(4096)
      .optional()
      .describe("Client secret (use ${file:/run/secrets/oidc} or ${ENV}); absent: a public client (PKCE only)"),
    clientAuthMethod: z.enum(["client_secret_basic", "client_secret_post"]).default("client_secret_basic").describe("How the client secret is sent to the token endpoint"),
    scopes: z.array(z.string().regex(/^[\x21\x23-\x5B\x5D-\x7E]+$/)).default(["openid", "profile", "email"]).describe("Scopes asked for; 'openid' is always included"),
    claims: ClaimMappingSchema.prefault({}).describe("Claim mapping"),
    useUserInfo: z.boolean().default(true).describe("Also read the userinfo endpoint and merge its claims (ID-token claims win on conflict)"),
    refresh: z.boolean().default(false).describe("Ask for a refresh token (scope offline_access, with prompt=consent as OpenID Connect requires) so the host can re-check the user with refresh()"),
    transactionTtlSec: z.number().int().min(30).max(86_400).default(600).describe("How long a started login may take before its callback is refused"),
    clockToleranceSec: z.number().int().min(0).max(300).default(30).describe("Tolerated clock difference when checking ID-token times"),
    timeoutMs: z.number().int().min(100).max(120_000).default(5_000).describe("Timeout of each call to the OpenID provider (ms)"),
    allowInsecureLoopback: z
      .boolean()
      .default(false)
      .describe("Allow an http:// issuer on localhost/127.0.0.1 (tests and development only); other http issuers are always refused"),
  })
  .superRefine((c, ctx) => {
    if (!URL.canParse(c.issuer)) return; // reported by the issuer field itself
    const url = new URL(c.issuer);
    if (url.protocol === "http:" && !(c.allowInsecureLoopback && LOOPBACK.has(url.hostname))) {
      ctx.addIssue({ code: "custom", path: ["issuer"], message: "must be https (http only on a loopback host with allowInsecureLoopback)" });
    }
  })
  .describe("OpenID Connect login (authorisation code flow with PKCE, state and nonce)");

export type OidcConfig = z.input<typeof OidcConfigSchema>;
export type OidcConfigParsed = z.output<typeof OidcConfigSchema>;
