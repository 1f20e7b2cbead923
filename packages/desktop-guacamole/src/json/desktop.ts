/**
 * @module `json` mode: nothing is stored at Guacamole; each access is a fresh signed, encrypted,
 * expiring (and by default single-use) token for the guacamole-auth-json extension.
 */
import { AppError } from "@calipso/core";
import type { ProviderContext, RemoteDesktop } from "@calipso/core";
import type { JsonConfig } from "../config.ts";
import { connectionParameters, gatewayName } from "../connection.ts";
import { EndpointStateSchema, PROVIDER_NAME, endpointHandle, readHandle, registrationOf } from "../handle.ts";
import { createJsonToken } from "./token.ts";

/** The URL form the extension reads: `{guacamoleUrl}/#/?data=<url-encoded token>`. */
export function jsonAccessUrl(guacamoleUrl: string, token: string): string {
  return `${guacamoleUrl.replace(/\/$/, "")}/#/?data=${encodeURIComponent(token)}`;
}

/** Creates the `json`-mode desktop (web-standard only: runs on every runtime). */
export function createJsonDesktop(config: JsonConfig, ctx: ProviderContext): RemoteDesktop {
  const released = new Set<string>();
  return {
    async register(registration) {
      const handle = await endpointHandle("json", gatewayName(config.namePrefix, registration.instanceId), registration, ctx.secrets);
      released.delete(handle.id);
      return handle;
    },

    async access(handle, user) {
      const state = readHandle(handle, EndpointStateSchema);
      if (state.mode !== "json" || released.has(handle.id)) throw new AppError("NOT_FOUND", { detail: "No such desktop at this gateway", provider: PROVIDER_NAME });
      const parameters = connectionParameters(await registrationOf(state, ctx.secrets), config);
      if (user.readOnly) parameters["read-only"] = "true";
      const expires = ctx.now().getTime() + config.tokenTtlSeconds * 1000;
      const token = await createJsonToken(
        {
          username: user.username,
          expires,
          ...(config.singleUse ? { singleUse: true } : {}),
          connections: { [handle.id]: { protocol: state.protocol, parameters } },
        },
        config.secretKey,
      );
      return { url: jsonAccessUrl(config.guacamoleUrl, token), expiresAt: new Date(expires) };
    },

    async release(handle) {
      // Nothing lives at Guacamole; refuse further access from this process.
      if (handle.provider === PROVIDER_NAME) released.add(handle.id);
      if (released.size > 10_000) released.delete(released.values().next().value!);
    },

    async list() {
      return [];
    },

    async lastActivity() {
      return null;
    },
  };
}
