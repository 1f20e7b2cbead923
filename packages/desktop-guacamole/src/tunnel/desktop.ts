/**
 * @module `tunnel` mode: registrations are plain handles, access is a single-use token for the
 * built-in WebSocket tunnel, and the gateway object that the tunnel server reads (live
 * sessions, last input per desktop, guacd address).
 */
import { AppError } from "@calipso/core";
import type { DesktopHandle, ProviderContext, RemoteDesktop } from "@calipso/core";
import type { TunnelConfig } from "../config.ts";
import { connectionParameters, gatewayName } from "../connection.ts";
import { EndpointStateSchema, PROVIDER_NAME, endpointHandle, readHandle, registrationOf } from "../handle.ts";
import type { GuacdTarget } from "./guacd.ts";
import { TunnelTokens } from "./tokens.ts";
import type { TunnelGrant } from "./tokens.ts";

/** A live tunnel as the gateway sees it. */
export interface LiveSession {
  readonly handle: DesktopHandle;
  readonly readOnly: boolean;
  /** guacd's connection id once `ready` arrived (what read-only viewers join). */
  connectionId?: string;
  close(status: number, message: string): void;
}

/** What the tunnel server needs from a `tunnel`-mode desktop. */
export interface TunnelGateway {
  readonly config: TunnelConfig;
  readonly tokens: TunnelTokens;
  readonly ctx: ProviderContext;
  /** Where to connect at guacd for a redeemed grant. */
  target(grant: TunnelGrant): Promise<GuacdTarget>;
  /** Records keyboard or mouse input on a desktop. */
  recordActivity(handleId: string): void;
  add(session: LiveSession): void;
  remove(session: LiveSession): void;
}

const GATEWAY = Symbol.for("calipso.desktop-guacamole.tunnel-gateway");

/** The gateway behind a desktop created in `tunnel` mode, or `undefined` for any other desktop. */
export function tunnelGatewayOf(desktop: unknown): TunnelGateway | undefined {
  if (typeof desktop !== "object" || desktop === null) return undefined;
  return (desktop as { [GATEWAY]?: TunnelGateway })[GATEWAY];
}

/** Creates the `tunnel`-mode desktop. */
export function createTunnelDesktop(config: TunnelConfig, ctx: ProviderContext): RemoteDesktop {
  const tokens = new TunnelTokens(config.tokenTtlSeconds * 1000, ctx.now);
  const sessions = new Map<string, Set<LiveSession>>();
  const activity = new Map<string, Date>();
  const released = new Set<string>();

  const gateway: TunnelGateway = {
    config,
    tokens,
    ctx,
    async target(grant) {
      const state = readHandle(grant.handle, EndpointStateSchema);
      const params = connectionParameters(await registrationOf(state, ctx.secrets), config);
      if (grant.readOnly) {
        params["read-only"] = "true";
        const owner = [...(sessions.get(grant.handle.id) ?? [])].find((s) => !s.readOnly && s.connectionId);
        if (owner?.connectionId) return { select: owner.connectionId, parameters: { "read-only": "true" } };
      }
      return { select: state.protocol, parameters: params };
    },
    recordActivity(handleId) {
      activity.set(handleId, ctx.now());
    },
    add(session) {
      if (released.has(session.handle.id)) {
        session.close(0x20b, "the desktop was released");
        return;
      }
      let set = sessions.get(session.handle.id);
      if (!set) sessions.set(session.handle.id, (set = new Set()));
      set.add(session);
    },
    remove(session) {
      const set = sessions.get(session.handle.id);
      set?.delete(session);
      if (set?.size === 0) sessions.delete(session.handle.id);
    },
  };

  const desktop: RemoteDesktop & { [GATEWAY]: TunnelGateway } = {
    [GATEWAY]: gateway,
    async register(registration) {
      const handle = await endpointHandle("tunnel", gatewayName(config.namePrefix, registration.instanceId), registration, ctx.secrets);
      released.delete(handle.id);
      return handle;
    },
    async access(handle, user) {
      readHandle(handle, EndpointStateSchema);
      if (released.has(handle.id)) throw new AppError("NOT_FOUND", { detail: "No such desktop at this gateway", provider: PROVIDER_NAME });
      const { token, expiresAt } = tokens.issue(handle, user.username, user.readOnly ?? false);
      const url = `${config.publicUrl.replace(/\/$/, "")}${config.path}/${encodeURIComponent(handle.id)}#token=${token}`;
      return { url, expiresAt };
    },
    async release(handle) {
      if (handle.provider !== PROVIDER_NAME) return;
      released.add(handle.id);
      if (released.size > 10_000) released.delete(released.values().next().value!);
      tokens.revoke(handle.id);
      for (const s of [...(sessions.get(handle.id) ?? [])]) s.close(0x20b, "the desktop was released");
      sessions.delete(handle.id);
      activity.delete(handle.id);
    },
    async list() {
      return [...sessions.values()].flatMap((set) => {
        const first = [...set][0];
        if (!first) return [];
        const state = EndpointStateSchema.safeParse(first.handle.state);
        return state.success ? [{ handle: first.handle, instanceId: state.data.instanceId }] : [];
      });
    },
    async lastActivity(handle) {
      return activity.get(handle.id) ?? null;
    },
    async dispose() {
      for (const set of sessions.values()) for (const s of [...set]) s.close(0x20b, "the server is shutting down");
      sessions.clear();
    },
  };
  return desktop;
}
