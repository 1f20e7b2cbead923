/**
 * @module The `facility-http` auth provider: password login, Umbrella (Shibboleth SP + hash
 * check) and "may use own resources" over the user-office REST contract.
 *
 * Umbrella: the login is always the one the user office returns for the hash — never the `uid`
 * attribute a client may have set (the seed system's impersonation hole, S1).
 */
import { AppError, UsernameSchema } from "@calipso/core";
import type { AuthProvider, Identity, ProviderContext } from "@calipso/core";
import { defineAuthProvider } from "@calipso/sdk";
import { FacilityHttpConfigSchema } from "./config.ts";
import type { FacilityHttpConfigParsed } from "./config.ts";
import { ContractAuthorizedSchema, ContractHashAnswerSchema } from "./contract.ts";
import { createHttpClient } from "./http-client.ts";
import { trustedProxyMatcher } from "./proxies.ts";
import type { HttpClient } from "./http-client.ts";

const NAME = "facility-http";

function attribute(attributes: Readonly<Record<string, string>>, name: string): string | undefined {
  const v = attributes[name.toLowerCase()] ?? attributes[name];
  return v === undefined || v.trim() === "" ? undefined : v.trim();
}

/** Builds the auth part from parsed config (shares nothing mutable with the experiments part). */
export function createFacilityHttpAuth(config: FacilityHttpConfigParsed, ctx: ProviderContext, client: HttpClient = createHttpClient(config.http, ctx, NAME)): AuthProvider {
  const log = ctx.logger;
  const trusted = trustedProxyMatcher(config.umbrella.trustedProxies);
  const refused = (detail: string, meta?: Record<string, unknown>) => new AppError("UNAUTHENTICATED", { provider: NAME, detail, ...(meta ? { meta } : {}) });
  const serverError = (call: string, status: number) =>
    new AppError("PROVIDER_ERROR", { provider: NAME, detail: `The user office failed the ${call} call (HTTP ${status})`, meta: { status } });

  let closed = false;
  const provider: AuthProvider = {
    async dispose() {
      if (closed) return;
      closed = true;
      await client.close();
    },
  };

  if (config.loginUrl) {
    const url = config.loginUrl;
    provider.password = async (username, password, options) => {
      if (!UsernameSchema.safeParse(username).success || password.length === 0 || password.length > 1024) throw refused("Wrong username or password");
      const res = await client.request({ method: "POST", url, json: { username, password }, call: "login", ...(options?.signal ? { signal: options.signal } : {}) });
      if (res.status >= 500) throw serverError("login", res.status);
      if (res.status !== 200) throw refused("Wrong username or password");
      return { username };
    };
  }

  if (config.umbrellaHashUrl) {
    const url = config.umbrellaHashUrl;
    provider.federated = async (request, options) => {
      if (trusted && !trusted(request.remoteAddress)) {
        log.warn("federated login from an untrusted address refused", { remoteAddress: request.remoteAddress });
        throw refused("Federated login attributes must come from the facility's Shibboleth proxy");
      }
      const hash = attribute(request.attributes, config.umbrella.hashAttribute);
      if (!hash || hash.length > 4096) throw refused("No Umbrella session: sign in with Umbrella first");
      const res = await client.request({ method: "POST", url, json: { eaa_hash: hash }, call: "umbrella-hash", ...(options?.signal ? { signal: options.signal } : {}) });
      if (res.status === 404) throw refused("This Umbrella account is not linked to a facility account yet", { reason: "umbrella-not-linked" });
      if (res.status >= 500) throw serverError("umbrella-hash", res.status);
      if (res.status !== 200) throw refused("The Umbrella session was not accepted");
      const answer = ContractHashAnswerSchema.safeParse(res.body);
      if (!answer.success) {
        throw new AppError("PROVIDER_ERROR", { provider: NAME, detail: "The user office accepted the Umbrella hash but did not return a valid login" });
      }
      const login = answer.data.login;
      const uid = attribute(request.attributes, config.umbrella.uidAttribute);
      if (uid !== undefined && uid !== login) log.warn("Umbrella uid differs from the user office login; using the user office login", { login });
      const identity: Identity = { username: login };
      return identity;
    };
  }

  if (config.ownResourcesDefault !== undefined) {
    const answer = config.ownResourcesDefault;
    provider.mayUseOwnResources = async () => answer;
  } else if (config.isAuthorizedUrl) {
    const url = config.isAuthorizedUrl;
    provider.mayUseOwnResources = async (username, options) => {
      if (!UsernameSchema.safeParse(username).success) return false;
      const res = await client.request({
        method: "POST",
        url,
        json: { login: username },
        call: "is-authorized",
        ...(config.credentials ? { basic: config.credentials } : {}),
        ...(options?.signal ? { signal: options.signal } : {}),
      });
      if (res.status === 404) return false;
      if (res.status === 401 || res.status === 403) {
        throw new AppError("PROVIDER_ERROR", { provider: NAME, detail: "The user office refused Calipso's credentials (is-authorized); check facility-http credentials", meta: { status: res.status } });
      }
      if (res.status !== 200) throw serverError("is-authorized", res.status);
      const parsed = ContractAuthorizedSchema.safeParse(res.body);
      if (!parsed.success) throw new AppError("PROVIDER_ERROR", { provider: NAME, detail: "The user office's is-authorized answer has no boolean 'result'" });
      return parsed.data.result;
    };
  } else {
    provider.mayUseOwnResources = async () => false;
  }
  return provider;
}

/**
 * `facility-http` for the `auth` slot: password login, Umbrella and "may use own resources".
 *
 * @example
 * // calipso.yaml
 * // auth: { provider: facility-http, config: { loginUrl: https://uo.example.org/login/ } }
 */
export const facilityHttpAuth = defineAuthProvider({
  name: NAME,
  description: "Facility user office over the CalipsoPlus REST contract: password, Umbrella, own-resources check",
  configSchema: FacilityHttpConfigSchema,
  capabilities: { password: true, federated: true, mayUseOwnResources: true },
  create: (config, ctx) => createFacilityHttpAuth(config, ctx),
});
