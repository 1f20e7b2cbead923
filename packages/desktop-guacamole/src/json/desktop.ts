/**
 * @module `json` mode: nothing is stored at Guacamole; each access is a fresh signed, encrypted,
 * expiring (and by default single-use) token for the guacamole-auth-json extension.
 */
import { AppError } from "@calipso/core";
import type { ProviderContext, RemoteDesktop } from "@calipso/core";
import type { JsonConfig } from "../config.ts";
import { connectionParameters, gatewayName } from "../connection.ts";
import { PROVIDER_NAME, endpointHandle, readEndpointHandle, registrationOf } from "../handle.ts";
import { isReleased, noteRegistered, noteReleased, registered } from "../registry.ts";
import { createJsonToken } from "./token.ts";

/** The URL form the extension reads: `{guacamoleUrl}/#/?data=<url-encoded token>`. */
export function jsonAccessUrl(guacamoleUrl: string, token: string): string {
  return `${guacamoleUrl.replace(/\/$/, "")}/#/?data=${encodeURIComponent(token)}`;
}

/** Creates the `json`-mode desktop (web-standard only: runs on every runtime). */
export function createJsonDesktop(config: JsonConfig, ctx: ProviderContext): RemoteDesktop {
  return {
    async register(registration) {
      const handle = await endpointHandle("json", gatewayName(config.namePrefix, registration.instanceId), registration, ctx.secrets);
      noteRegistered("json", handle, registration.instanceId);
      return handle;
    },

    async access(handle, user) {
      const state = readEndpointHandle(handle, "json", config.namePrefix);
      if (isReleased("json", handle.id)) throw new AppError("NOT_FOUND", { detail: "No such desktop at this gateway", provider: PROVIDER_NAME });
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
      // Nothing lives at Guacamole: refuse further access from this process; minted tokens expire within tokenTtlSeconds.
      if (handle.provider === PROVIDER_NAME) noteReleased("json", handle.id);
    },

    async list() {
      return registered("json", config.namePrefix);
    },

    async lastActivity() {
      return null;
    },
  };
}
