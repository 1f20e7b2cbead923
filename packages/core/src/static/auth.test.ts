import { describe, expect, it } from "vitest";
import { instantiate } from "../provider.ts";
import { testContext } from "../testing/context.ts";
import { staticAuth } from "./auth.ts";
import { hashPassword } from "./password.ts";

async function provider() {
  const users = [
    { username: "alice", displayName: "Alice A.", email: "alice@example.org", roles: ["user", "admin"] as const, mayUseOwnResources: true, passwordHash: await hashPassword("alice-pw", { iterations: 2000 }) },
    { username: "bob", passwordHash: await hashPassword("bob-pw", { iterations: 2000 }) },
    { username: "carol" },
  ];
  return instantiate(staticAuth, { users }, testContext());
}

describe("static auth provider", () => {
  it("[static/auth-01] logs in with the right password and returns the configured identity", async () => {
    const auth = await provider();
    await expect(auth.password!("alice", "alice-pw")).resolves.toEqual({
      username: "alice",
      displayName: "Alice A.",
      email: "alice@example.org",
      roles: ["user", "admin"],
      mayUseOwnResources: true,
    });
    await expect(auth.password!("bob", "bob-pw")).resolves.toMatchObject({ username: "bob", roles: ["user"], mayUseOwnResources: false });
  });

  it("[static/auth-02] wrong password, unknown user and a user without a hash give the same UNAUTHENTICATED", async () => {
    const auth = await provider();
    const errors = await Promise.all([
      auth.password!("alice", "bob-pw").catch((e: unknown) => e),
      auth.password!("nobody", "alice-pw").catch((e: unknown) => e),
      auth.password!("carol", "").catch((e: unknown) => e),
    ]);
    for (const e of errors) expect(e).toMatchObject({ name: "AppError", code: "UNAUTHENTICATED", detail: "Wrong username or password" });
  });

  it("[static/auth-03] mayUseOwnResources follows the config; unknown users may not", async () => {
    const auth = await provider();
    expect(await auth.mayUseOwnResources!("alice")).toBe(true);
    expect(await auth.mayUseOwnResources!("bob")).toBe(false);
    expect(await auth.mayUseOwnResources!("nobody")).toBe(false);
  });

  it("[static/auth-04] refuses config with a plaintext password or a duplicate user", async () => {
    await expect(instantiate(staticAuth, { users: [{ username: "x", passwordHash: "hunter2" }] }, testContext())).rejects.toMatchObject({ code: "INVALID_CONFIG" });
    await expect(instantiate(staticAuth, { users: [{ username: "x" }, { username: "x" }] }, testContext())).rejects.toMatchObject({ code: "INVALID_CONFIG" });
    await expect(instantiate(staticAuth, { users: [{ username: "x", password: "plain" }] }, testContext())).rejects.toMatchObject({ code: "INVALID_CONFIG" });
  });
});
