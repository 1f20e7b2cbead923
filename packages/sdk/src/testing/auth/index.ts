/** @module `describeAuthProvider()`: the conformance suite of an authentication provider. */
import { afterAll, describe, expect } from "vitest";
import { IdentitySchema } from "@calipso/core";
import type { AuthProvider, FederatedRequest } from "@calipso/core";
import type { z } from "zod";
import { configSuite, definitionSuite } from "../shared/definition.ts";
import { errorText, expectRejectsWith } from "../shared/errors.ts";
import { createKit, declared, randomSuffix } from "../shared/kit.ts";
import type { BaseKitOptions } from "../shared/kit.ts";

/** A username and password. */
export interface Credentials {
  readonly username: string;
  readonly password: string;
}

/** Options of {@link describeAuthProvider}; give the fixtures of every capability you declare. */
export interface AuthKitOptions<S extends z.ZodType = z.ZodType> extends BaseKitOptions<"auth", S> {
  /** Capability `password`: accepted credentials, and refused ones (unknown users, wrong passwords). */
  readonly password?: { readonly valid: Credentials; readonly invalid: readonly Credentials[] };
  /** Capability `federated`: a request that logs `username` in, and refused ones. */
  readonly federated?: { readonly valid: FederatedRequest; readonly username: string; readonly invalid: readonly FederatedRequest[] };
  /** Capability `redirect`: the callback URL registered at the identity provider. */
  readonly redirect?: { readonly redirectUri: string };
  /** Capability `mayUseOwnResources`: usernames that may and may not launch without an experiment. */
  readonly mayUseOwnResources?: { readonly allowed: readonly string[]; readonly denied: readonly string[] };
}

const METHODS = ["password", "federated", "redirect", "mayUseOwnResources"] as const;

function fixture<T>(value: T | undefined, capability: string): T {
  if (value === undefined) expect.fail(`capability "${capability}" is declared: give the kit's \`${capability}\` option`);
  return value;
}

/**
 * Registers the conformance suite of an auth provider: definition, config, capabilities and one
 * area per declared login method (`password`, `federated`, `redirect`, `mayUseOwnResources`).
 *
 * @example
 * describeAuthProvider({
 *   definition: myOffice,
 *   config: { url: office.url },
 *   invalidConfigs: [{ config: { url: "not a url" }, field: "url" }],
 *   password: { valid: { username: "ada", password: "pw" }, invalid: [{ username: "ada", password: "bad" }] },
 * });
 */
export function describeAuthProvider<S extends z.ZodType>(options: AuthKitOptions<S>): void {
  describe(`calipso conformance: auth/${options.definition.name}`, () => {
    const kit = createKit("auth", options);
    const caps = options.definition.capabilities;
    let provider: Promise<AuthProvider> | undefined;
    const get = () => (provider ??= kit.create());
    afterAll(async () => {
      if (provider) await (await provider).dispose?.();
    });

    definitionSuite(kit);
    configSuite(kit);

    describe("capabilities", () => {
      kit.test("capabilities-01", "login methods exist exactly when their capability is declared", async () => {
        const p = await get();
        for (const m of METHODS) expect(p[m] !== undefined, `${m} present vs capability declared`).toBe(declared(caps[m]));
      });
    });

    describe("password", () => {
      const has = declared(caps.password);
      kit.testIf("password", has, "password-01", "valid credentials give an Identity with that username", async () => {
        const { valid } = fixture(options.password, "password");
        const identity = await (await get()).password!(valid.username, valid.password);
        expect(IdentitySchema.safeParse(identity).success, "must match IdentitySchema").toBe(true);
        expect(identity.username).toBe(valid.username);
      });
      kit.testIf("password", has, "password-02", "every refused credential gives UNAUTHENTICATED", async () => {
        const { invalid } = fixture(options.password, "password");
        expect(invalid.length, "list at least one refused credential").toBeGreaterThan(0);
        for (const c of invalid) await expectRejectsWith((await get()).password!(c.username, c.password), "UNAUTHENTICATED");
      });
      kit.testIf("password", has, "password-03", "a wrong password and an unknown user give the same UNAUTHENTICATED", async () => {
        const { valid } = fixture(options.password, "password");
        const p = await get();
        const wrong = await expectRejectsWith(p.password!(valid.username, `wrong-${randomSuffix()}`), "UNAUTHENTICATED");
        const unknown = await expectRejectsWith(p.password!(`kit-nobody-${randomSuffix()}`, valid.password), "UNAUTHENTICATED");
        expect(wrong.detail, "the detail must not tell which of the two was wrong").toBe(unknown.detail);
      });
      kit.testIf("password", has, "password-04", "an empty password is refused with UNAUTHENTICATED", async () => {
        const { valid } = fixture(options.password, "password");
        await expectRejectsWith((await get()).password!(valid.username, ""), "UNAUTHENTICATED");
      });
      kit.testIf("password", has, "password-05", "errors never carry the password that was tried", async () => {
        const { valid } = fixture(options.password, "password");
        const tried = `kit-pw-${randomSuffix(8)}`;
        const error = await expectRejectsWith((await get()).password!(valid.username, tried), "UNAUTHENTICATED");
        expect(errorText(error)).not.toContain(tried);
      });
    });

    describe("federated", () => {
      const has = declared(caps.federated);
      kit.testIf("federated", has, "federated-01", "a valid federated request gives the Identity of its user", async () => {
        const f = fixture(options.federated, "federated");
        const identity = await (await get()).federated!(f.valid);
        expect(IdentitySchema.safeParse(identity).success).toBe(true);
        expect(identity.username).toBe(f.username);
      });
      kit.testIf("federated", has, "federated-02", "refused federated requests give UNAUTHENTICATED", async () => {
        const f = fixture(options.federated, "federated");
        expect(f.invalid.length, "list at least one refused request").toBeGreaterThan(0);
        for (const r of f.invalid) await expectRejectsWith((await get()).federated!(r), "UNAUTHENTICATED");
      });
      kit.testIf("federated", has, "federated-03", "a request without attributes gives UNAUTHENTICATED", async () => {
        await expectRejectsWith((await get()).federated!({ attributes: {} }), "UNAUTHENTICATED");
      });
    });

    describe("redirect", () => {
      const has = declared(caps.redirect);
      kit.testIf("redirect", has, "redirect-01", "start returns an absolute URL and a fresh transaction each time", async () => {
        const { redirectUri } = fixture(options.redirect, "redirect");
        const p = await get();
        const a = await p.redirect!.start({ redirectUri });
        const b = await p.redirect!.start({ redirectUri });
        expect(() => new URL(a.url)).not.toThrow();
        expect(a.transaction.length).toBeGreaterThan(0);
        expect(a.transaction).not.toBe(b.transaction);
      });
      kit.testIf("redirect", has, "redirect-02", "a callback with a forged state is refused with UNAUTHENTICATED", async () => {
        const { redirectUri } = fixture(options.redirect, "redirect");
        const p = await get();
        const { transaction } = await p.redirect!.start({ redirectUri });
        const callbackUrl = `${redirectUri}?code=forged-${randomSuffix()}&state=forged-${randomSuffix()}`;
        await expectRejectsWith(p.redirect!.callback({ callbackUrl, redirectUri, transaction }), "UNAUTHENTICATED");
      });
    });

    describe("mayUseOwnResources", () => {
      kit.testIf("mayUseOwnResources", declared(caps.mayUseOwnResources), "own-01", "answers true for allowed and false for denied users", async () => {
        const f = fixture(options.mayUseOwnResources, "mayUseOwnResources");
        const p = await get();
        for (const u of f.allowed) expect(await p.mayUseOwnResources!(u), u).toBe(true);
        for (const u of f.denied) expect(await p.mayUseOwnResources!(u), u).toBe(false);
        expect(await p.mayUseOwnResources!(`kit-nobody-${randomSuffix()}`), "unknown users").toBe(false);
      });
    });

    describe("dispose", () => {
      kit.test("dispose-01", "dispose (when the provider has it) resolves and is idempotent", async () => {
        const p = await kit.create();
        if (p.dispose === undefined) return;
        await p.dispose();
        await p.dispose();
      });
    });
  });
}
