/**
 * @module `tunnel` mode: registrations are plain handles, access is a single-use token for the
 * built-in WebSocket tunnel, and the gateway object that the tunnel server reads (live
 * sessions, last input per desktop, guacd address).
 */
import { AppError } from "@calipso/core";
import type { DesktopHandle, ProviderContext, RemoteDesktop } from "@calipso/core";
import type { TunnelConfig } from "../config.ts";
import { connectionParameters, gatewayName } from "../connection.ts";
import { EndpointStateSchema, PROVIDER_NAME, endpointHandle, readEndpointHandle, readHandle, registrationOf } from "../handle.ts";
import { isReleased, noteRegistered, noteReleased, onReleased, registered } from "../registry.ts";
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
  const closeSessions = (handleId: string, message: string) => {
    tokens.revoke(handleId);
    for (const s of [...(sessions.get(handleId) ?? [])]) s.close(0x20b, message);
    sessions.delete(handleId);
    activity.delete(handleId);
  };
  const unsubscribe = onReleased((handleId) => closeSessions(handleId, "the desktop was released"));

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
      if (isReleased("tunnel", session.handle.id)) {
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
      noteRegistered("tunnel", handle, registration.instanceId);
      return handle;
    },
    async access(handle, user) {
      readEndpointHandle(handle, "tunnel", config.namePrefix);
      if (isReleased("tunnel", handle.id)) throw new AppError("NOT_FOUND", { detail: "No such desktop at this gateway", provider: PROVIDER_NAME });
      const { token, expiresAt } = tokens.issue(handle, user.username, user.readOnly ?? false);
      const url = `${config.publicUrl.replace(/\/$/, "")}${config.path}/${encodeURIComponent(handle.id)}#token=${token}`;
      return { url, expiresAt };
    },
    async release(handle) {
      if (handle.provider !== PROVIDER_NAME) return;
      noteReleased("tunnel", handle.id); // closes this process's tunnels of the desktop (listener above)
    },
    async list() {
      // Registrations of this process, plus desktops with a live tunnel (registered before a restart).
      const out = new Map(registered("tunnel", config.namePrefix).map((r) => [r.handle.id, r]));
      for (const set of sessions.values()) {
        const first = [...set][0];
        const state = first && EndpointStateSchema.safeParse(first.handle.state);
        if (first && state?.success && !out.has(first.handle.id)) out.set(first.handle.id, { handle: first.handle, instanceId: state.data.instanceId });
      }
      return [...out.values()];
    },
    async lastActivity(handle) {
      return activity.get(handle.id) ?? null;
    },
    async dispose() {
      unsubscribe();
      for (const set of sessions.values()) for (const s of [...set]) s.close(0x20b, "the server is shutting down");
      sessions.clear();
    },
  };
  return desktop;
}
