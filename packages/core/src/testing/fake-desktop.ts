/**
 * @module A fake RemoteDesktop gateway: registrations in a named in-memory "gateway", short-lived
 * single-use access tickets, `list` and `lastActivity`. A fake: no Guacamole behind it.
 */
import { z } from "zod";
import { AppError } from "../errors.ts";
import { defineProvider, instantiate } from "../provider.ts";
import type { DesktopHandle } from "../domain/instance.ts";
import type { DesktopRegistration, RemoteDesktop } from "../ports/desktop.ts";
import { createToken } from "../tokens.ts";
import { testContext } from "./context.ts";

/** The shared backing state of fake desktops. */
export interface FakeDesktopGateway {
  readonly name: string;
  /** Registrations by connection id. */
  readonly registrations: Map<string, DesktopRegistration & { lastActivity: Date | null }>;
  /** Access tickets by ticket (single use). */
  readonly tickets: Map<string, { connection: string; username: string; readOnly: boolean; expiresAt: Date }>;
  /** Sets the last input time of an instance's connection. */
  setActivity(instanceId: string, at: Date | null): void;
  /** Redeems a ticket once; `null` when unknown, used or expired. */
  redeem(ticket: string, now?: Date): { connection: string; username: string; readOnly: boolean } | null;
}

const gateways = new Map<string, FakeDesktopGateway>();
let nextId = 0;

/** A new gateway, registered under its name. */
export function createFakeDesktopGateway(name = `gateway-${++nextId}`): FakeDesktopGateway {
  const registrations: FakeDesktopGateway["registrations"] = new Map();
  const tickets: FakeDesktopGateway["tickets"] = new Map();
  const gateway: FakeDesktopGateway = {
    name,
    registrations,
    tickets,
    setActivity(instanceId, at) {
      for (const r of registrations.values()) if (r.instanceId === instanceId) r.lastActivity = at;
    },
    redeem(ticket, now = new Date()) {
      const t = tickets.get(ticket);
      tickets.delete(ticket);
      if (!t || t.expiresAt <= now || !registrations.has(t.connection)) return null;
      return { connection: t.connection, username: t.username, readOnly: t.readOnly };
    },
  };
  gateways.set(name, gateway);
  return gateway;
}

/** The gateway registered under `name`, created on first use. */
export function getFakeDesktopGateway(name: string): FakeDesktopGateway {
  return gateways.get(name) ?? createFakeDesktopGateway(name);
}

/** Config of the fake desktop. */
export const FakeDesktopConfigSchema = z.strictObject({
  gateway: z.string().min(1).max(128).default("default").describe("Name of the shared fake gateway"),
  baseUrl: z.url().default("https://desktop.fake.invalid").describe("Base of access URLs"),
  accessTtlSec: z.number().int().min(1).max(3600).default(60).describe("Lifetime of an access ticket"),
  failRegister: z.boolean().default(false).describe("Make every register fail (to test compensation)"),
});
export type FakeDesktopConfig = z.input<typeof FakeDesktopConfigSchema>;

/** The fake desktop plus its gateway. */
export interface FakeRemoteDesktop extends RemoteDesktop {
  readonly gateway: FakeDesktopGateway;
}

function build(config: z.output<typeof FakeDesktopConfigSchema>, now: () => Date): FakeRemoteDesktop {
  const gateway = getFakeDesktopGateway(config.gateway);
  const idOf = (handle: DesktopHandle): string => {
    if (typeof handle?.id !== "string" || !handle.id) throw new AppError("VALIDATION_FAILED", { detail: "Malformed desktop handle", provider: "fake-desktop" });
    return handle.id;
  };
  return {
    gateway,
    async register(registration, options) {
      if (options?.signal?.aborted) throw new AppError("PROVIDER_TIMEOUT", { detail: "Register was aborted", provider: "fake-desktop" });
      if (config.failRegister) throw new AppError("PROVIDER_ERROR", { detail: "The fake gateway refused the registration", provider: "fake-desktop" });
      const id = `c${++nextId}`;
      gateway.registrations.set(id, { ...registration, lastActivity: null });
      return { provider: "fake-desktop", id, state: { gateway: gateway.name } };
    },
    async access(handle, user) {
      const id = idOf(handle);
      if (!gateway.registrations.has(id)) throw new AppError("NOT_FOUND", { detail: "No such desktop connection", provider: "fake-desktop" });
      const ticket = createToken();
      const expiresAt = new Date(now().getTime() + config.accessTtlSec * 1000);
      gateway.tickets.set(ticket, { connection: id, username: user.username, readOnly: user.readOnly === true, expiresAt });
      // The ticket travels in the fragment: it never reaches a server log.
      return { url: `${config.baseUrl}/#/connect/${ticket}`, expiresAt };
    },
    async release(handle) {
      const id = idOf(handle);
      gateway.registrations.delete(id);
      for (const [t, v] of [...gateway.tickets]) if (v.connection === id) gateway.tickets.delete(t);
    },
    async list() {
      return [...gateway.registrations].map(([id, r]) => ({ handle: { provider: "fake-desktop", id, state: { gateway: gateway.name } }, instanceId: r.instanceId }));
    },
    async lastActivity(handle) {
      const r = gateway.registrations.get(idOf(handle));
      return r?.lastActivity ?? null;
    },
  };
}

/** The fake desktop's definition. */
export const fakeDesktop = defineProvider("desktop", {
  name: "fake-desktop",
  description: "Fake desktop gateway for tests: in-memory registrations and single-use tickets",
  configSchema: FakeDesktopConfigSchema,
  capabilities: { list: true, activity: true, readOnlyAccess: true, protocols: ["vnc", "rdp", "ssh"] },
  create: (config, ctx) => build(config, ctx.now),
});

/**
 * A fake desktop from raw options; its gateway is `desktop.gateway` (a fresh one unless `gateway` names one).
 *
 * @example
 * const desktop = await createFakeDesktop();
 */
export async function createFakeDesktop(options: FakeDesktopConfig = {}, now?: () => Date): Promise<FakeRemoteDesktop> {
  const withGateway = options.gateway === undefined ? { ...options, gateway: createFakeDesktopGateway().name } : options;
  return (await instantiate(fakeDesktop, withGateway, testContext(now ? { now } : {}))) as FakeRemoteDesktop;
}
