/**
 * @module A fake AuthProvider: password users from config, federated logins from a trusted
 * attribute, a fake redirect (OIDC-like) flow and `mayUseOwnResources`. A fake: no real identity service.
 */
import { z } from "zod";
import { AppError } from "../errors.ts";
import { defineProvider, instantiate } from "../provider.ts";
import { IdentitySchema, RoleSchema, UsernameSchema } from "../domain/user.ts";
import type { Identity } from "../domain/user.ts";
import type { AuthProvider } from "../ports/auth.ts";
import { createToken, hashToken } from "../tokens.ts";
import { testContext } from "./context.ts";

const FakeUserSchema = z.strictObject({
  username: UsernameSchema,
  password: z.string().min(1).max(256).optional().describe("Password for password logins; absent: the user cannot log in with a password"),
  displayName: z.string().max(256).optional().describe("Name to show"),
  email: z.string().max(320).optional().describe("E-mail address"),
  roles: z.array(RoleSchema).optional().describe("Role hint returned at login"),
  mayUseOwnResources: z.boolean().default(false).describe("May launch without an experiment"),
});

/** Config of the fake auth provider. */
export const FakeAuthConfigSchema = z.strictObject({
  users: z.array(FakeUserSchema).default([]).describe("Known users"),
  federated: z
    .strictObject({
      usernameAttribute: z.string().min(1).default("uid").describe("Attribute that carries the username"),
      requireKnownUser: z.boolean().default(true).describe("Refuse usernames that are not in `users`"),
    })
    .optional()
    .describe("Enables federated logins"),
  redirect: z.boolean().default(false).describe("Enables the fake redirect flow (code = username)"),
  issuer: z.url().default("https://idp.fake.invalid").describe("Base URL of the fake identity provider"),
});
export type FakeAuthConfig = z.input<typeof FakeAuthConfigSchema>;

function sameSecret(a: string, b: string): boolean {
  // Compare hashes so the time taken does not depend on where the strings differ.
  const x = hashToken(a);
  const y = hashToken(b);
  let diff = 0;
  for (let i = 0; i < x.length; i++) diff |= x.charCodeAt(i) ^ y.charCodeAt(i);
  return diff === 0;
}

function build(config: z.output<typeof FakeAuthConfigSchema>): AuthProvider {
  const identityOf = (u: z.output<typeof FakeUserSchema>): Identity => {
    const id: Identity = { username: u.username, mayUseOwnResources: u.mayUseOwnResources };
    if (u.displayName !== undefined) id.displayName = u.displayName;
    if (u.email !== undefined) id.email = u.email;
    if (u.roles !== undefined) id.roles = u.roles;
    return id;
  };
  const find = (username: string) => config.users.find((u) => u.username === username);
  const refused = () => new AppError("UNAUTHENTICATED", { detail: "Wrong username or password", provider: "fake-auth" });
  const provider: AuthProvider = {
    async password(username, password) {
      const u = find(username);
      if (!u || u.password === undefined || !sameSecret(u.password, password)) throw refused();
      return identityOf(u);
    },
    async mayUseOwnResources(username) {
      return find(username)?.mayUseOwnResources ?? false;
    },
  };
  const fed = config.federated;
  if (fed) {
    provider.federated = async (request) => {
      const username = request.attributes[fed.usernameAttribute.toLowerCase()] ?? request.attributes[fed.usernameAttribute];
      const parsed = UsernameSchema.safeParse(username);
      if (!parsed.success) throw new AppError("UNAUTHENTICATED", { detail: "The federated login carried no valid username", provider: "fake-auth" });
      const u = find(parsed.data);
      if (!u) {
        if (fed.requireKnownUser) throw new AppError("UNAUTHENTICATED", { detail: "Unknown federated user", provider: "fake-auth" });
        return IdentitySchema.parse({ username: parsed.data });
      }
      return identityOf(u);
    };
  }
  if (config.redirect) {
    provider.redirect = {
      async start({ redirectUri }) {
        const state = createToken();
        const url = new URL("/authorize", config.issuer);
        url.searchParams.set("state", state);
        url.searchParams.set("redirect_uri", redirectUri);
        return { url: url.toString(), transaction: JSON.stringify({ state, redirectUri }) };
      },
      async callback({ callbackUrl, redirectUri, transaction }) {
        let tx: { state?: unknown; redirectUri?: unknown };
        try {
          tx = JSON.parse(transaction) as typeof tx;
        } catch {
          throw new AppError("UNAUTHENTICATED", { detail: "Malformed login transaction", provider: "fake-auth" });
        }
        const params = new URL(callbackUrl).searchParams;
        if (typeof tx.state !== "string" || params.get("state") !== tx.state || tx.redirectUri !== redirectUri) {
          throw new AppError("UNAUTHENTICATED", { detail: "Login state does not match", provider: "fake-auth" });
        }
        const u = find(params.get("code") ?? "");
        if (!u) throw new AppError("UNAUTHENTICATED", { detail: "Unknown user", provider: "fake-auth" });
        return identityOf(u);
      },
    };
  }
  return provider;
}

/** The fake auth provider's definition. */
export const fakeAuth = defineProvider("auth", {
  name: "fake-auth",
  description: "Fake identity service for tests: users from config, federated and redirect flows",
  configSchema: FakeAuthConfigSchema,
  capabilities: { password: true, federated: true, redirect: true, mayUseOwnResources: true },
  create: (config) => build(config),
});

/**
 * A fake auth provider from raw options (parsed by the strict schema).
 *
 * @example
 * const auth = await createFakeAuth({ users: [{ username: "alice", password: "pw" }] });
 */
export async function createFakeAuth(options: FakeAuthConfig = {}): Promise<AuthProvider> {
  return instantiate(fakeAuth, options, testContext());
}
