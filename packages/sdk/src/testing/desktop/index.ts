/** @module `describeRemoteDesktop()`: the conformance suite of a remote desktop gateway. */
import { afterAll, describe, expect } from "vitest";
import { DesktopHandleSchema } from "@calipso/core";
import type { DesktopHandle, DesktopRegistration, RemoteDesktop } from "@calipso/core";
import type { z } from "zod";
import { configSuite, definitionSuite } from "../shared/definition.ts";
import { expectRejectsWith } from "../shared/errors.ts";
import { createKit, declared, randomSuffix } from "../shared/kit.ts";
import type { BaseKitOptions } from "../shared/kit.ts";

/** Options of {@link describeRemoteDesktop}. */
export interface DesktopKitOptions<S extends z.ZodType = z.ZodType> extends BaseKitOptions<"desktop", S> {
  /** What to change in the kit's default registration (endpoint 127.0.0.1:5901, random secret). */
  readonly registration?: Partial<DesktopRegistration>;
  /** Independent view of the gateway (its database, its API): whether it still holds the registration. */
  readonly inspect: { exists(handle: DesktopHandle): Promise<boolean> };
  /** A handle for a registration that never existed, made from a real one (default: another `id`). */
  readonly unknownHandle?: (real: DesktopHandle) => DesktopHandle;
}

const roundTrip = <T>(value: T): T => JSON.parse(JSON.stringify(value)) as T;

/**
 * Registers the conformance suite of a remote desktop: definition, config, register, access,
 * release, restore, errors and the declared capabilities (list, activity, readOnlyAccess).
 *
 * @example
 * describeRemoteDesktop({
 *   definition: myGateway,
 *   config: { url: "http://127.0.0.1:8080" },
 *   invalidConfigs: [{ config: {}, field: "url" }],
 *   inspect: { exists: (h) => db.hasConnection(h.id) },
 * });
 */
export function describeRemoteDesktop<S extends z.ZodType>(options: DesktopKitOptions<S>): void {
  describe(`calipso conformance: desktop/${options.definition.name}`, () => {
    const kit = createKit("desktop", options);
    const caps = options.definition.capabilities;
    const instances: RemoteDesktop[] = [];
    const handles: DesktopHandle[] = [];
    afterAll(async () => {
      await Promise.allSettled(handles.map((h) => instances[0]?.release(h)));
      await Promise.allSettled(instances.map((i) => i.dispose?.()));
    }, kit.timeoutMs);
    const instance = async () => {
      const desktop = await kit.create();
      instances.push(desktop);
      return desktop;
    };
    const registration = (): DesktopRegistration => ({
      instanceId: `kit-${randomSuffix(8)}`,
      owner: "kit-user",
      endpoint: { host: "127.0.0.1", port: 5901, protocol: caps.protocols?.[0] ?? "vnc" },
      secret: `kit-secret-${randomSuffix(8)}`,
      title: "Calipso conformance kit",
      ...options.registration,
    });
    const register = async (desktop: RemoteDesktop, reg = registration()) => {
      const handle = await desktop.register(reg);
      handles.push(handle);
      return handle;
    };

    definitionSuite(kit);
    configSuite(kit);

    describe("register", () => {
      kit.test("register-01", "register resolves with a JSON handle", async () => {
        const handle = await register(await instance());
        expect(DesktopHandleSchema.safeParse(handle).success, "handle must match DesktopHandleSchema").toBe(true);
        expect(roundTrip(handle)).toEqual(handle);
      });
      kit.test("register-02", "the gateway holds the registration (checked through inspect)", async () => {
        const handle = await register(await instance());
        expect(await options.inspect.exists(handle)).toBe(true);
      });
      kit.test("register-03", "the handle never carries the desktop secret in clear", async () => {
        const reg = registration();
        const handle = await register(await instance(), reg);
        expect(JSON.stringify(handle)).not.toContain(reg.secret);
      });
    });

    describe("access", () => {
      kit.test("access-01", "access returns an absolute URL and a future expiresAt", async () => {
        const desktop = await instance();
        const handle = await register(desktop);
        const before = Date.now();
        const access = await desktop.access(handle, { username: "kit-user" });
        expect(() => new URL(access.url)).not.toThrow();
        expect(access.expiresAt).toBeInstanceOf(Date);
        expect(access.expiresAt.getTime()).toBeGreaterThan(before);
      });
      kit.test("access-02", "the access URL never carries the desktop secret", async () => {
        const desktop = await instance();
        const reg = registration();
        const handle = await register(desktop, reg);
        const access = await desktop.access(handle, { username: "kit-user" });
        expect(access.url).not.toContain(reg.secret);
        expect(decodeURIComponent(access.url)).not.toContain(reg.secret);
      });
      kit.testIf("readOnlyAccess", declared(caps.readOnlyAccess), "access-03", "read-only access returns a URL", async () => {
        const desktop = await instance();
        const handle = await register(desktop);
        const access = await desktop.access(handle, { username: "kit-observer", readOnly: true });
        expect(() => new URL(access.url)).not.toThrow();
      });
    });

    describe("release", () => {
      kit.test("release-01", "release removes the registration from the gateway (checked through inspect)", async () => {
        const desktop = await instance();
        const handle = await register(desktop);
        await desktop.release(handle);
        expect(await options.inspect.exists(handle)).toBe(false);
      });
      kit.test("release-02", "release is idempotent: again, concurrently, and from a new instance", async () => {
        const desktop = await instance();
        const handle = await register(desktop);
        await Promise.all([desktop.release(handle), desktop.release(handle)]);
        await (await instance()).release(roundTrip(handle));
      });
      kit.test("release-03", "access after release is refused with NOT_FOUND", async () => {
        const desktop = await instance();
        const handle = await register(desktop);
        await desktop.release(handle);
        await expectRejectsWith(desktop.access(handle, { username: "kit-user" }), "NOT_FOUND");
      });
    });

    describe("restore", () => {
      kit.test("restore-01", "a JSON round-tripped handle gives access from a new instance", async () => {
        const handle = await register(await instance());
        const access = await (await instance()).access(roundTrip(handle), { username: "kit-user" });
        expect(() => new URL(access.url)).not.toThrow();
      });
      kit.test("restore-02", "a new instance releases a JSON round-tripped handle", async () => {
        const handle = await register(await instance());
        await (await instance()).release(roundTrip(handle));
        expect(await options.inspect.exists(handle)).toBe(false);
      });
    });

    describe("errors", () => {
      kit.test("errors-01", "access with a handle that never existed is refused with NOT_FOUND", async () => {
        const desktop = await instance();
        const real = await register(desktop);
        const unknown = (options.unknownHandle ?? ((h: DesktopHandle) => ({ ...h, id: `${h.id}-calipso-kit-unknown` })))(real);
        await expectRejectsWith(desktop.access(unknown, { username: "kit-user" }), "NOT_FOUND");
        await desktop.release(unknown);
        expect(await options.inspect.exists(real), "releasing an unknown handle must not touch others").toBe(true);
      });
    });

    describe("capabilities", () => {
      kit.testIf("list", declared(caps.list), "list-01", "list shows a registration until it is released", async () => {
        const desktop = await instance();
        const reg = registration();
        const handle = await register(desktop, reg);
        expect(desktop.list, "capability list declared but list() missing").toBeTypeOf("function");
        expect((await desktop.list!()).map((r) => r.instanceId)).toContain(reg.instanceId);
        await desktop.release(handle);
        expect((await desktop.list!()).map((r) => r.instanceId)).not.toContain(reg.instanceId);
      });
      kit.testIf("activity", declared(caps.activity), "activity-01", "lastActivity of a fresh registration is null or a past Date", async () => {
        const desktop = await instance();
        const handle = await register(desktop);
        expect(desktop.lastActivity, "capability activity declared but lastActivity() missing").toBeTypeOf("function");
        const at = await desktop.lastActivity!(handle);
        if (at !== null) {
          expect(at).toBeInstanceOf(Date);
          expect(at.getTime()).toBeLessThanOrEqual(Date.now());
        }
      });
      kit.test("capabilities-01", "optional methods exist exactly when their capability is declared", async () => {
        const desktop = await instance();
        expect(typeof desktop.list === "function", "list() vs capability list").toBe(declared(caps.list));
        expect(typeof desktop.lastActivity === "function", "lastActivity() vs capability activity").toBe(declared(caps.activity));
      });
    });

    describe("dispose", () => {
      kit.test("dispose-01", "dispose (when the gateway has it) resolves and is idempotent", async () => {
        const desktop = await kit.create();
        if (desktop.dispose === undefined) return;
        await desktop.dispose();
        await desktop.dispose();
      });
    });
  });
}
