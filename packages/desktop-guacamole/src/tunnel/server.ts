/**
 * @module The tunnel's Node endpoint: WebSocket upgrades (subprotocol `guacamole`) at
 * `{path}/{id}/tunnel?token=…`, plus the client page and its assets over plain HTTP.
 */
import type { IncomingMessage, Server, ServerResponse } from "node:http";
import type { Duplex } from "node:stream";
import { AppError, isAppError } from "@calipso/core";
import type { RemoteDesktop } from "@calipso/core";
import { WebSocketServer } from "ws";
import type { WebSocket } from "ws";
import { z } from "zod";
import { clientPageHtml, tunnelAssets } from "./client-page.ts";
import { tunnelGatewayOf } from "./desktop.ts";
import type { ClientDisplay } from "./guacd.ts";
import { GUAC_STATUS, closeReason, webSocketCode } from "./protocol.ts";
import { runSession } from "./session.ts";
import type { TunnelGrant } from "./tokens.ts";

/** Options of {@link createTunnelServer}. */
export interface TunnelServerOptions {
  /** A `guacamole` desktop created in `tunnel` mode. */
  readonly desktop: RemoteDesktop;
  /** Mount path; defaults to the desktop's configured `path`. */
  readonly path?: string;
  /** guacd address; defaults to the desktop's configured `guacd`. */
  readonly guacd?: { readonly host: string; readonly port: number };
  /**
   * Who is making the request (e.g. from the session cookie). When given, a token is only
   * accepted from the user it was issued to.
   */
  readonly identify?: (request: IncomingMessage) => string | undefined | Promise<string | undefined>;
  readonly handshakeTimeoutMs?: number;
}

/** A mounted tunnel. */
export interface TunnelServer {
  /** Handles an HTTP upgrade when its path is the tunnel's; returns false otherwise. */
  handleUpgrade(request: IncomingMessage, socket: Duplex, head: Buffer): boolean;
  /** Serves the client page and its assets; returns false when the path is not the tunnel's. */
  handleRequest(request: IncomingMessage, response: ServerResponse): boolean;
  /** Listens to a Node server's `upgrade` event. */
  attach(server: Server): void;
  /** Number of open tunnels. */
  readonly sessions: number;
  /** Closes every tunnel. */
  close(): Promise<void>;
}

const csv = z.union([z.string(), z.array(z.string())]).transform((v) => (Array.isArray(v) ? v : [v]));
const mime = z.string().regex(/^[a-z0-9.+-]+\/[a-z0-9.+;= -]+$/i).max(100);
const DisplaySchema = z.object({
  token: z.string().regex(/^[a-z2-7]{32}$/),
  GUAC_WIDTH: z.coerce.number().int().min(1).max(8192).default(1024),
  GUAC_HEIGHT: z.coerce.number().int().min(1).max(8192).default(768),
  GUAC_DPI: z.coerce.number().int().min(1).max(1000).default(96),
  GUAC_AUDIO: csv.pipe(z.array(mime).max(20)).default([]),
  GUAC_VIDEO: csv.pipe(z.array(mime).max(20)).default([]),
  GUAC_IMAGE: csv.pipe(z.array(mime).max(20)).default(["image/png", "image/jpeg"]),
  GUAC_TIMEZONE: z.string().regex(/^[A-Za-z0-9_+\-/]{1,64}$/).optional(),
});

function queryObject(url: URL): Record<string, string | string[]> {
  const out: Record<string, string | string[]> = {};
  for (const key of new Set(url.searchParams.keys())) {
    const all = url.searchParams.getAll(key);
    out[key] = all.length === 1 ? all[0]! : all;
  }
  return out;
}

/**
 * Creates the tunnel endpoint for a `tunnel`-mode desktop.
 *
 * @example
 * const desktop = await instantiate(guacamoleDesktop, { mode: "tunnel", publicUrl: "https://calipso.example.org" }, ctx);
 * const tunnel = createTunnelServer({ desktop });
 * tunnel.attach(httpServer); // and call tunnel.handleRequest(req, res) from the request handler
 */
export function createTunnelServer(options: TunnelServerOptions): TunnelServer {
  const gateway = tunnelGatewayOf(options.desktop);
  if (!gateway) throw new AppError("INVALID_CONFIG", { detail: "createTunnelServer needs a guacamole desktop in tunnel mode", provider: "guacamole" });
  const base = (options.path ?? gateway.config.path).replace(/\/$/, "");
  const guacd = options.guacd ?? gateway.config.guacd;
  const wss = new WebSocketServer({
    noServer: true,
    maxPayload: 4 * 1024 * 1024,
    handleProtocols: (protocols) => (protocols.has("guacamole") ? "guacamole" : false),
  });
  const open = new Set<WebSocket>();
  const assets = tunnelAssets();
  const route = new RegExp(`^${base.replace(/[.*+?^${}()|[\]\\]/g, "\\$&")}/([^/]+)(/tunnel)?$`);

  const refuse = (ws: WebSocket, status: number, message: string) => ws.close(webSocketCode(status), closeReason(status, message));

  async function accept(ws: WebSocket, request: IncomingMessage, handleId: string, url: URL): Promise<void> {
    const query = DisplaySchema.safeParse(queryObject(url));
    if (!query.success) return refuse(ws, GUAC_STATUS.CLIENT_UNAUTHORIZED, "missing or malformed access token or display parameters");
    let grant: TunnelGrant;
    try {
      const username = options.identify ? await options.identify(request) : undefined;
      if (options.identify && username === undefined) throw new AppError("UNAUTHENTICATED", { detail: "Not logged in" });
      grant = gateway!.tokens.redeem(query.data.token, handleId, username);
    } catch (e) {
      const forbidden = isAppError(e, "FORBIDDEN");
      return refuse(ws, forbidden ? GUAC_STATUS.CLIENT_FORBIDDEN : GUAC_STATUS.CLIENT_UNAUTHORIZED, isAppError(e) ? (e.detail ?? e.message) : "refused");
    }
    const q = query.data;
    const display: ClientDisplay = {
      width: q.GUAC_WIDTH,
      height: q.GUAC_HEIGHT,
      dpi: q.GUAC_DPI,
      audio: q.GUAC_AUDIO,
      video: q.GUAC_VIDEO,
      image: q.GUAC_IMAGE,
      timezone: q.GUAC_TIMEZONE,
    };
    await runSession(ws, grant, display, gateway!, guacd, { ...(options.handshakeTimeoutMs ? { handshakeTimeoutMs: options.handshakeTimeoutMs } : {}) });
  }

  const server: TunnelServer = {
    handleUpgrade(request, socket, head) {
      const url = new URL(request.url ?? "/", "http://tunnel.invalid");
      const m = route.exec(url.pathname);
      if (!m || !m[2]) return false;
      let handleId: string;
      try {
        handleId = decodeURIComponent(m[1]!);
      } catch {
        socket.destroy(); // malformed %-escape: not a desktop id
        return true;
      }
      wss.handleUpgrade(request, socket, head, (ws) => {
        open.add(ws);
        ws.once("close", () => open.delete(ws));
        ws.on("error", () => ws.terminate());
        accept(ws, request, handleId, url).catch(() => refuse(ws, GUAC_STATUS.SERVER_ERROR, "internal error"));
      });
      return true;
    },
    handleRequest(request, response) {
      const url = new URL(request.url ?? "/", "http://tunnel.invalid");
      if (!url.pathname.startsWith(`${base}/`) || (request.method !== "GET" && request.method !== "HEAD")) return false;
      const rest = url.pathname.slice(base.length + 1);
      const asset = rest.startsWith("_assets/") ? assets[rest.slice("_assets/".length)] : undefined;
      if (asset) {
        response.writeHead(200, { "content-type": asset.contentType, "cache-control": "public, max-age=3600", "x-content-type-options": "nosniff" });
        response.end(request.method === "HEAD" ? undefined : asset.body);
        return true;
      }
      const m = route.exec(url.pathname);
      if (!m || m[2] || rest.startsWith("_assets/")) return false;
      response.writeHead(200, {
        "content-type": "text/html; charset=utf-8",
        "cache-control": "no-store",
        "referrer-policy": "no-referrer",
        "x-content-type-options": "nosniff",
        "x-frame-options": "DENY",
        "content-security-policy":
          "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data: blob:; connect-src 'self'; media-src 'self' blob:; frame-ancestors 'none'; base-uri 'none'",
      });
      response.end(request.method === "HEAD" ? undefined : clientPageHtml({ title: "Calipso desktop" }));
      return true;
    },
    attach(httpServer) {
      httpServer.on("upgrade", (request: IncomingMessage, socket: Duplex, head: Buffer) => {
        if (!server.handleUpgrade(request, socket, head) && httpServer.listenerCount("upgrade") === 1) socket.destroy();
      });
    },
    get sessions() {
      return open.size;
    },
    async close() {
      for (const ws of open) refuse(ws, GUAC_STATUS.SESSION_CLOSED, "the tunnel is shutting down");
      await new Promise<void>((resolve) => wss.close(() => resolve()));
    },
  };
  return server;
}
