/**
 * @module The `static` auth provider: password logins against PBKDF2 hashes from config.
 * An unknown user, a user without a password and a wrong password all derive one full hash and
 * give the same `UNAUTHENTICATED`, so neither the answer nor the time taken tells them apart.
 */
import { AppError } from "../errors.ts";
import type { Identity } from "../domain/user.ts";
import type { AuthProvider } from "../ports/auth.ts";
import { defineProvider } from "../provider.ts";
import { StaticConfigSchema } from "./config.ts";
import type { StaticConfigParsed } from "./config.ts";
import { DEFAULT_PBKDF2_ITERATIONS, parsePasswordHash, verifyPassword } from "./password.ts";
import type { ParsedPasswordHash } from "./password.ts";

const NAME = "static";

type StaticUser = StaticConfigParsed["users"][number];

/** A decoy hash with the iterations most users have, verified when the user has no hash. */
function decoyHash(users: readonly { iterations: number }[]): ParsedPasswordHash {
  const counts = new Map<number, number>();
  for (const u of users) counts.set(u.iterations, (counts.get(u.iterations) ?? 0) + 1);
  let iterations = DEFAULT_PBKDF2_ITERATIONS;
  let best = 0;
  for (const [it, n] of counts) if (n > best) [iterations, best] = [it, n];
  return { iterations, salt: crypto.getRandomValues(new Uint8Array(16)), hash: crypto.getRandomValues(new Uint8Array(32)) };
}

function identityOf(u: StaticUser): Identity {
  const id: Identity = { username: u.username, roles: u.roles, mayUseOwnResources: u.mayUseOwnResources };
  if (u.displayName !== undefined) id.displayName = u.displayName;
  if (u.email !== undefined) id.email = u.email;
  return id;
}

/** Builds the static auth provider from parsed config. */
export function createStaticAuth(config: StaticConfigParsed): AuthProvider {
  const users = new Map<string, { user: StaticUser; hash?: ParsedPasswordHash }>();
  for (const user of config.users) users.set(user.username, user.passwordHash ? { user, hash: parsePasswordHash(user.passwordHash) } : { user });
  const decoy = decoyHash([...users.values()].flatMap((u) => (u.hash ? [u.hash] : [])));
  const refused = () => new AppError("UNAUTHENTICATED", { detail: "Wrong username or password", provider: NAME });
  return {
    async password(username, password) {
      const entry = users.get(username);
      const hash = entry?.hash ?? decoy;
      // Verify even for unknown users: the same work, then the same answer.
      const ok = await verifyPassword(password, hash);
      if (!ok || !entry?.hash) throw refused();
      return identityOf(entry.user);
    },
    async mayUseOwnResources(username) {
      return users.get(username)?.user.mayUseOwnResources ?? false;
    },
  };
}

/**
 * The `static` auth provider: users with PBKDF2 password hashes from config.
 *
 * @example
 * // calipso.yaml
 * // auth: { provider: static, config: { users: [{ username: alice, passwordHash: "pbkdf2-sha256$…" }] } }
 */
export const staticAuth = defineProvider("auth", {
  name: NAME,
  description: "Users with PBKDF2 password hashes from the configuration file",
  configSchema: StaticConfigSchema,
  capabilities: { password: true, mayUseOwnResources: true },
  create: (config) => createStaticAuth(config),
});
