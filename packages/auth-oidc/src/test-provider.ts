/**
 * @module A real OpenID provider for the tests: `oidc-provider` on 127.0.0.1 with its development
 * interactions (login form accepts any account id; consent form), and a cookie-jar driver that
 * logs a user in through the provider's redirect flow with plain fetch.
 */
import { createServer } from "node:http";
import type { AddressInfo } from "node:net";
import Provider from "oidc-provider";

export interface TestOpenIdProvider {
  readonly issuer: string;
  readonly clientId: string;
  readonly clientSecret: string;
  readonly redirectUri: string;
  close(): Promise<void>;
}

/** The `oidc` provider config the tests use against `op` (loopback issuer, groups claim, `calipso-admins` as admins). */
export function oidcTestConfig(op: TestOpenIdProvider) {
  return {
    issuer: op.issuer,
    clientId: op.clientId,
    clientSecret: op.clientSecret,
    allowInsecureLoopback: true,
    scopes: ["openid", "profile", "email", "groups"],
    claims: { adminValues: ["calipso-admins"] },
  };
}

/** Accounts the provider knows: id → claims. */
export const ACCOUNTS: Record<string, Record<string, unknown>> = {
  alice: { preferred_username: "alice", name: "Alice Liddell", email: "alice@example.org", groups: ["beamline-staff", "calipso-admins"] },
  bob: { preferred_username: "bob", name: "Bob", email: "bob@example.org", groups: ["users"] },
  "bad user": { preferred_username: "../etc/passwd" },
};

export async function startOpenIdProvider(options: { idTokenTtlSec?: number; redirectUri?: string } = {}): Promise<TestOpenIdProvider> {
  const redirectUri = options.redirectUri ?? "http://127.0.0.1:9/auth/oidc/callback";
  const clientId = "calipso-test";
  const clientSecret = "calipso-test-secret-0123456789abcdef";
  const server = createServer();
  await new Promise<void>((r) => server.listen(0, "127.0.0.1", r));
  const issuer = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  const provider = new Provider(issuer, {
    clients: [
      {
        client_id: clientId,
        client_secret: clientSecret,
        redirect_uris: [redirectUri],
        post_logout_redirect_uris: ["http://127.0.0.1:9/"],
        grant_types: ["authorization_code", "refresh_token"],
        response_types: ["code"],
      },
    ],
    async findAccount(_ctx: unknown, id: string) {
      const claims = ACCOUNTS[id];
      if (!claims) return undefined;
      return { accountId: id, claims: async () => ({ sub: id, ...claims }) };
    },
    claims: { openid: ["sub"], profile: ["preferred_username", "name"], email: ["email"], groups: ["groups"] },
    scopes: ["openid", "offline_access", "profile", "email", "groups"],
    features: { devInteractions: { enabled: true }, rpInitiatedLogout: { enabled: true } },
    pkce: { required: () => true },
    issueRefreshToken: async () => true,
    ttl: { IdToken: options.idTokenTtlSec ?? 3600, AccessToken: 3600, AuthorizationCode: 60, RefreshToken: 3600, Grant: 3600, Session: 3600, Interaction: 600 },
    cookies: { keys: ["test-cookie-key-0123456789"] },
    conformIdTokenClaims: false,
  });
  provider.on("server_error", () => {});
  server.on("request", provider.callback());
  return {
    issuer,
    clientId,
    clientSecret,
    redirectUri,
    close: () =>
      new Promise<void>((r) => {
        server.closeAllConnections();
        server.close(() => r());
      }),
  };
}

/** A tiny cookie jar: enough for one provider on one host in a test. */
class CookieJar {
  readonly #cookies = new Map<string, string>();
  take(response: Response): void {
    for (const line of response.headers.getSetCookie()) {
      const [pair] = line.split(";");
      const eq = pair!.indexOf("=");
      const name = pair!.slice(0, eq).trim();
      const value = pair!.slice(eq + 1).trim();
      if (value === "" || /expires=Thu, 01 Jan 1970/i.test(line)) this.#cookies.delete(name);
      else this.#cookies.set(name, value);
    }
  }
  header(): string {
    return [...this.#cookies].map(([k, v]) => `${k}=${v}`).join("; ");
  }
}

/**
 * Drives the browser part of a login: follows redirects from the authorisation URL, submits the
 * dev login form as `accountId` and the consent form, and returns the callback URL (with code and
 * state) that the provider redirected to.
 */
export async function loginThroughProvider(authorizationUrl: string, redirectUri: string, accountId: string): Promise<string> {
  const jar = new CookieJar();
  let url = authorizationUrl;
  let method = "GET";
  let body: URLSearchParams | undefined;
  for (let hop = 0; hop < 20; hop++) {
    const response = await fetch(url, {
      method,
      redirect: "manual",
      headers: { cookie: jar.header(), ...(body ? { "content-type": "application/x-www-form-urlencoded" } : {}) },
      ...(body ? { body } : {}),
    });
    jar.take(response);
    const location = response.headers.get("location");
    if (response.status >= 300 && response.status < 400 && location) {
      const next = new URL(location, url).href;
      if (next.startsWith(redirectUri)) return next;
      url = next;
      method = "GET";
      body = undefined;
      continue;
    }
    const html = await response.text();
    if (response.status !== 200) throw new Error(`unexpected ${response.status} at ${url}: ${html.slice(0, 200)}`);
    // A dev interaction page: the login form or the consent form.
    const action = /<form[^>]*action="([^"]+)"/.exec(html)?.[1];
    if (!action) throw new Error(`no form at ${url}`);
    url = new URL(action, url).href;
    method = "POST";
    body = html.includes('name="login"') ? new URLSearchParams({ prompt: "login", login: accountId, password: "any" }) : new URLSearchParams({ prompt: "consent" });
  }
  throw new Error("too many redirects");
}
