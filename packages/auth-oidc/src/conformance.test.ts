/** Conformance of the oidc definition against a real OpenID provider (oidc-provider on loopback). */
import { describeAuthProvider } from "@calipso/sdk/testing";
import { afterAll } from "vitest";
import { oidcAuth } from "./oidc.ts";
import { startOpenIdProvider } from "./test-provider.ts";

const op = await startOpenIdProvider();
afterAll(() => op.close());

const config = { issuer: op.issuer, clientId: op.clientId, clientSecret: op.clientSecret, allowInsecureLoopback: true };

describeAuthProvider({
  definition: oidcAuth,
  config,
  invalidConfigs: [
    { config: { ...config, issuer: "not a url" }, field: "issuer" },
    { config: { ...config, issuer: "http://id.example.org" }, field: "issuer" },
    { config: { issuer: op.issuer, allowInsecureLoopback: true }, field: "clientId" },
  ],
  redirect: { redirectUri: op.redirectUri },
});
