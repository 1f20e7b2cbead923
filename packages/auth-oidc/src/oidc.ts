/**
 * @module The `oidc` auth provider: OpenID Connect authorisation code flow with PKCE (S256),
 * state and nonce, on `openid-client` 6 (discovery, token and ID-token validation, userinfo,
 * refresh, RP-initiated logout). No OAuth is hand-written here.
 */
import { AppError } from "@calipso/core";
import type { AuthCallOptions, AuthProvider, Identity, ProviderContext, RedirectAuth } from "@calipso/core";
import { defineAuthProvider } from "@calipso/sdk";
import * as client from "openid-client";
import { identityFromClaims } from "./claims.ts";
import { OidcConfigSchema } from "./config.ts";
import type { OidcConfigParsed } from "./config.ts";
import { toOidcError } from "./errors.ts";
import { openTransaction, sealTransaction } from "./transaction.ts";

const NAME = "oidc";

/** Tokens of a completed login, for hosts that want to refresh or end the session later. */
export interface OidcTokens {
  readonly idToken?: string;
  readonly refreshToken?: string;
  readonly accessTokenExpiresAt?: Date;
}

/** The redirect login with the extras of OpenID Connect. */
export interface OidcRedirectAuth extends RedirectAuth {
  /** Like `callback`, and also the tokens (keep a refresh token only encrypted). */
  callbackWithTokens(options: { callbackUrl: string; redirectUri: string; transaction: string } & AuthCallOptions): Promise<{ identity: Identity; tokens: OidcTokens }>;
  /** Uses a refresh token: the user's current identity, or `UNAUTHENTICATED` when access was revoked. */
  refresh(refreshToken: string, options?: AuthCallOptions): Promise<{ identity: Identity; tokens: OidcTokens }>;
}

/** The `oidc` provider instance. */
export interface OidcAuthProvider extends AuthProvider {
  readonly redirect: OidcRedirectAuth;
}

/** Builds the provider from parsed config. */
export function createOidcAuth(config: OidcConfigParsed, ctx: ProviderContext): OidcAuthProvider {
  const issuer = new URL(config.issuer);
  const insecure = issuer.protocol === "http:";
  const scope = [...new Set(["openid", ...config.scopes, ...(config.refresh ? ["offline_access"] : [])])].join(" ");
  const clientAuth =
    config.clientSecret === undefined
      ? client.None()
      : config.clientAuthMethod === "client_secret_post"
        ? client.ClientSecretPost(config.clientSecret)
        : client.ClientSecretBasic(config.clientSecret);
  const fetchWithTimeout: client.CustomFetch = (url, options) => {
    const signals = [AbortSignal.timeout(config.timeoutMs), ctx.signal];
    if (options.signal) signals.push(options.signal);
    return ctx.fetch(url, { ...options, signal: AbortSignal.any(signals) } as RequestInit);
  };
  const clientMetadata = (): Partial<client.ClientMetadata> => ({
    [client.clockTolerance]: config.clockToleranceSec,
    // Validations use the host's clock (ctx.now), e.g. a test clock or a corrected one.
    [client.clockSkew]: Math.round((ctx.now().getTime() - Date.now()) / 1000),
  });

  let server: Promise<client.ServerMetadata> | undefined;
  let jwks: ReturnType<typeof client.getJwksCache>;

  /** Discovery once (retried after a failure), then a fresh Configuration per call (current clock). */
  async function configuration(): Promise<client.Configuration> {
    server ??= client
      .discovery(issuer, config.clientId, clientMetadata(), clientAuth, {
        [client.customFetch]: fetchWithTimeout,
        ...(insecure ? { execute: [client.allowInsecureRequests] } : {}),
      })
      .then((c) => c.serverMetadata())
      .catch((error: unknown) => {
        server = undefined;
        throw toOidcError(error, NAME, "discovery");
      });
    const c = new client.Configuration(await server, config.clientId, clientMetadata(), clientAuth);
    c[client.customFetch] = fetchWithTimeout;
    if (insecure) client.allowInsecureRequests(c);
    if (jwks) client.setJwksCache(c, jwks);
    return c;
  }
  const keepJwks = (c: client.Configuration) => {
    jwks = client.getJwksCache(c) ?? jwks;
  };

  async function identityOf(c: client.Configuration, tokens: client.TokenEndpointResponse & client.TokenEndpointResponseHelpers, expectedSub?: string) {
    const idClaims = tokens.claims();
    const sub = idClaims?.sub ?? expectedSub;
    let claims: Record<string, unknown> = { ...(idClaims ?? {}) };
    if (config.useUserInfo && c.serverMetadata().userinfo_endpoint && sub) {
      const info = await client.fetchUserInfo(c, tokens.access_token, sub);
      claims = { ...info, ...claims };
    }
    if (!sub) throw new AppError("UNAUTHENTICATED", { provider: NAME, detail: "The OpenID provider sent no subject" });
    const out: OidcTokens = {};
    const o = out as { idToken?: string; refreshToken?: string; accessTokenExpiresAt?: Date };
    if (tokens.id_token) o.idToken = tokens.id_token;
    if (tokens.refresh_token) o.refreshToken = tokens.refresh_token;
    const expiresIn = tokens.expiresIn();
    if (expiresIn !== undefined) o.accessTokenExpiresAt = new Date(ctx.now().getTime() + expiresIn * 1000);
    return { identity: identityFromClaims(claims, config.claims, NAME), tokens: out };
  }

  const redirect: OidcRedirectAuth = {
    async start({ redirectUri }) {
      if (!/^https?:\/\//.test(redirectUri)) throw new AppError("INVALID_CONFIG", { provider: NAME, detail: "redirectUri must be an absolute http(s) URL" });
      const c = await configuration();
      const verifier = client.randomPKCECodeVerifier();
      const state = client.randomState();
      const nonce = client.randomNonce();
      const url = client.buildAuthorizationUrl(c, {
        redirect_uri: redirectUri,
        scope,
        response_type: "code",
        code_challenge: await client.calculatePKCECodeChallenge(verifier),
        code_challenge_method: "S256",
        state,
        nonce,
        ...(config.refresh ? { prompt: "consent" } : {}),
      });
      const transaction = await sealTransaction(ctx.secrets, { state, nonce, verifier, redirectUri, startedAt: ctx.now().getTime() });
      return { url: url.href, transaction };
    },

    async callback(options) {
      return (await redirect.callbackWithTokens(options)).identity;
    },

    async callbackWithTokens({ callbackUrl, redirectUri, transaction }) {
      const t = await openTransaction(ctx.secrets, transaction, NAME);
      const age = ctx.now().getTime() - t.startedAt;
      if (t.redirectUri !== redirectUri || age > config.transactionTtlSec * 1000 || age < -60_000) {
        throw new AppError("UNAUTHENTICATED", { provider: NAME, detail: "The login took too long or came back to another address; start the login again" });
      }
      let current: URL;
      try {
        current = new URL(callbackUrl);
      } catch (cause) {
        throw new AppError("UNAUTHENTICATED", { provider: NAME, detail: "Invalid callback URL", cause });
      }
      const c = await configuration();
      try {
        const tokens = await client.authorizationCodeGrant(
          c,
          current,
          { pkceCodeVerifier: t.verifier, expectedState: t.state, expectedNonce: t.nonce, idTokenExpected: true },
          { redirect_uri: redirectUri },
        );
        return await identityOf(c, tokens);
      } catch (error) {
        ctx.logger.info("OpenID Connect login refused", { reason: error instanceof Error ? error.message : "unknown" });
        throw toOidcError(error, NAME, "callback");
      } finally {
        keepJwks(c);
      }
    },

    async refresh(refreshToken) {
      const c = await configuration();
      try {
        const tokens = await client.refreshTokenGrant(c, refreshToken);
        return await identityOf(c, tokens);
      } catch (error) {
        throw toOidcError(error, NAME, "refresh");
      } finally {
        keepJwks(c);
      }
    },

    async logoutUrl({ postLogoutRedirectUri }) {
      const c = await configuration();
      if (!c.serverMetadata().end_session_endpoint) return undefined;
      return client.buildEndSessionUrl(c, { client_id: config.clientId, ...(postLogoutRedirectUri ? { post_logout_redirect_uri: postLogoutRedirectUri } : {}) }).href;
    },
  };

  return { redirect };
}

/**
 * The `oidc` auth provider (slot `auth`).
 *
 * @example
 * // calipso.yaml
 * // auth: { provider: oidc, config: { issuer: https://id.example.org/realms/facility, clientId: calipso, clientSecret: "${file:/run/secrets/oidc}" } }
 */
export const oidcAuth = defineAuthProvider({
  name: NAME,
  description: "OpenID Connect login (authorisation code flow with PKCE) on openid-client",
  configSchema: OidcConfigSchema,
  capabilities: { redirect: true },
  create: (config, ctx) => createOidcAuth(config, ctx),
});
