/**
 * @module Test support for `tunnel` mode (not exported): a loopback HTTP server with the tunnel
 * mounted in front of a FAKE guacd, and a minimal WebSocket Guacamole client.
 */
import http from "node:http";
import type { AddressInfo } from "node:net";
import { instantiate } from "@calipso/core";
import type { DesktopRegistration, ProviderContext, RemoteDesktop } from "@calipso/core";
import { testContext } from "@calipso/core/testing";
import { WebSocket } from "ws";
import { guacamoleDesktop } from "../provider.ts";
import { startFakeGuacd } from "../testing/fake-guacd.ts";
import type { FakeGuacd, FakeGuacdOptions } from "../testing/fake-guacd.ts";
import { InstructionParser } from "./parser.ts";
import { createTunnelServer } from "./server.ts";
import type { TunnelServer, TunnelServerOptions } from "./server.ts";

/** Everything a tunnel test needs. */
export interface TunnelRig {
  readonly guacd: FakeGuacd;
  readonly desktop: RemoteDesktop;
  readonly tunnel: TunnelServer;
  readonly base: string;
  close(): Promise<void>;
}

/** Starts fake guacd + desktop (tunnel mode) + HTTP server with the tunnel attached. */
export async function startRig(
  options: { guacd?: FakeGuacdOptions; ctx?: Partial<ProviderContext>; identify?: TunnelServerOptions["identify"]; tokenTtlSeconds?: number } = {},
): Promise<TunnelRig> {
  const guacd = await startFakeGuacd(options.guacd);
  let tunnel: TunnelServer | undefined;
  const server = http.createServer((req, res) => {
    if (!tunnel?.handleRequest(req, res)) res.writeHead(404).end();
  });
  await new Promise<void>((r) => server.listen(0, "127.0.0.1", r));
  const base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  const desktop = await instantiate(
    guacamoleDesktop,
    { mode: "tunnel", guacd: { host: guacd.host, port: guacd.port }, publicUrl: base, tokenTtlSeconds: options.tokenTtlSeconds ?? 30 },
    testContext(options.ctx),
  );
  tunnel = createTunnelServer({ desktop, ...(options.identify ? { identify: options.identify } : {}), handshakeTimeoutMs: 5000 });
  tunnel.attach(server);
  return {
    guacd,
    desktop,
    tunnel,
    base,
    async close() {
      await tunnel!.close();
      await desktop.dispose?.();
      server.closeAllConnections();
      await new Promise<void>((r) => server.close(() => r()));
      await guacd.close();
    },
  };
}

let counter = 0;
/** A registration pointing at a (fake) VNC desktop. */
export function registration(over: Partial<DesktopRegistration> = {}): DesktopRegistration {
  return {
    instanceId: `t-${process.pid}-${++counter}-${Math.random().toString(36).slice(2, 8)}`,
    owner: "alice",
    title: "test",
    endpoint: { host: "10.9.8.7", port: 5901, protocol: "vnc" },
    secret: "vncpass1",
    ...over,
  };
}

/** A connected test client: messages as received, parsed instructions, close code and reason. */
export interface TestClient {
  readonly ws: WebSocket;
  readonly messages: string[];
  readonly instructions: string[][];
  readonly closed: Promise<{ code: number; reason: string }>;
  /** Resolves when an instruction with `opcode` arrived. */
  waitFor(opcode: string): Promise<string[]>;
  send(text: string): void;
}

/** The WebSocket URL for an access URL (fragment token moved to the query, as the page does). */
export function tunnelUrl(accessUrl: string, extra: Record<string, string> = {}): string {
  const url = new URL(accessUrl);
  const token = new URLSearchParams(url.hash.slice(1)).get("token") ?? "";
  const q = new URLSearchParams({ token, GUAC_WIDTH: "800", GUAC_HEIGHT: "600", GUAC_DPI: "96", GUAC_TIMEZONE: "Europe/Madrid", ...extra });
  q.append("GUAC_IMAGE", "image/png");
  q.append("GUAC_IMAGE", "image/jpeg");
  return `ws://${url.host}${url.pathname}/tunnel?${q}`;
}

/** Opens a Guacamole WebSocket client. */
export function connectClient(url: string, headers: Record<string, string> = {}): TestClient {
  const ws = new WebSocket(url, "guacamole", { headers });
  const messages: string[] = [];
  const instructions: string[][] = [];
  const waiters: { opcode: string; resolve: (args: string[]) => void }[] = [];
  ws.on("message", (data) => {
    const text = data.toString();
    messages.push(text);
    const parser = new InstructionParser();
    for (const ins of parser.push(text).instructions) {
      instructions.push([ins.opcode, ...ins.args]);
      for (const w of waiters.filter((w) => w.opcode === ins.opcode)) {
        waiters.splice(waiters.indexOf(w), 1);
        w.resolve([...ins.args]);
      }
    }
    if (parser.buffered !== 0) instructions.push(["<partial instruction in one message>"]);
  });
  const closed = new Promise<{ code: number; reason: string }>((resolve) => {
    ws.on("close", (code, reason) => resolve({ code, reason: reason.toString() }));
    ws.on("error", () => {});
  });
  return {
    ws,
    messages,
    instructions,
    closed,
    waitFor(opcode) {
      const seen = instructions.find((i) => i[0] === opcode);
      if (seen) return Promise.resolve(seen.slice(1));
      return new Promise((resolve) => waiters.push({ opcode, resolve }));
    },
    send(text) {
      ws.send(text);
    },
  };
}
