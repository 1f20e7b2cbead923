/**
 * @module Mounts the built-in Guacamole tunnel (`@calipso/desktop-guacamole/tunnel`) on the Node
 * listener when the configured desktop runs in `tunnel` mode: its page and assets, and its WebSocket
 * upgrades. Tokens are only accepted from the user they were issued to (the session cookie).
 */
import type { IncomingMessage, Server, ServerResponse } from "node:http";
import { parse as parseCookies } from "hono/utils/cookie";
import type { Calipso, Logger, RemoteDesktop } from "@calipso/core";

/** The part of a mounted tunnel the listener needs. */
export interface MountedTunnel {
  handleRequest(request: IncomingMessage, response: ServerResponse): boolean;
  attach(server: Server): void;
  close(): Promise<void>;
}

interface TunnelModule {
  tunnelGatewayOf?: (desktop: RemoteDesktop) => unknown;
  createTunnelServer?: (options: { desktop: RemoteDesktop; identify?: (r: IncomingMessage) => Promise<string | undefined> }) => MountedTunnel;
}

/** The tunnel of `desktop` when it is a tunnel-mode Guacamole desktop, else undefined. */
export async function mountTunnel(desktop: RemoteDesktop | undefined, calipso: Calipso, cookieName: string, logger: Logger): Promise<MountedTunnel | undefined> {
  if (!desktop) return undefined;
  let mod: TunnelModule;
  try {
    const specifier = "@calipso/desktop-guacamole/tunnel"; // optional package, resolved at run time
    mod = (await import(specifier)) as TunnelModule;
  } catch {
    return undefined;
  }
  if (!mod.tunnelGatewayOf?.(desktop) || !mod.createTunnelServer) return undefined;
  const tunnel = mod.createTunnelServer({
    desktop,
    identify: async (request) => {
      const token = parseCookies(request.headers.cookie ?? "", cookieName)[cookieName];
      if (!token) return undefined;
      try {
        return (await calipso.authenticate(token)).user.username;
      } catch {
        return undefined;
      }
    },
  });
  logger.info("desktop tunnel mounted on this listener");
  return tunnel;
}
