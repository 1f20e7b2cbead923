/**
 * @module Test support: a unix-socket proxy in front of the engine socket that a test can take away
 * (close every connection and delete the socket file) and bring back, without touching the engine.
 */
import { createConnection, createServer } from "node:net";
import type { Server, Socket } from "node:net";
import { rm } from "node:fs/promises";

/** A proxy socket the test controls. */
export interface SocketProxy {
  readonly path: string;
  /** Request lines (method and URL) seen so far, for "no secret in a URL" checks. */
  readonly requests: string[];
  /** The socket disappears: open connections are cut and the file is deleted. */
  cut(): Promise<void>;
  /** The socket comes back at the same path. */
  restore(): Promise<void>;
  close(): Promise<void>;
}

/** Starts a proxy at `path` forwarding every connection to `target`. */
export async function startSocketProxy(path: string, target: string): Promise<SocketProxy> {
  const open = new Set<Socket>();
  const requests: string[] = [];
  let server: Server | undefined;
  const listen = async () => {
    if (server) return; // already listening: restore() is idempotent
    await rm(path, { force: true });
    server = createServer((client) => {
      const upstream = createConnection(target);
      open.add(client).add(upstream);
      const drop = () => (client.destroy(), upstream.destroy(), open.delete(client), open.delete(upstream));
      client.on("error", drop).on("close", drop);
      upstream.on("error", drop).on("close", drop);
      client.on("data", (chunk: Buffer) => {
        for (const m of chunk.toString("latin1").matchAll(/^(GET|POST|PUT|DELETE|HEAD) (\S+) HTTP\/1\.[01]\r$/gm)) requests.push(`${m[1]} ${m[2]}`);
      });
      client.pipe(upstream).pipe(client);
    });
    await new Promise<void>((resolve, reject) => server!.once("error", reject).listen(path, () => resolve()));
  };
  const cut = async () => {
    const s = server;
    server = undefined;
    for (const socket of open) socket.destroy();
    open.clear();
    if (s) await new Promise<void>((resolve) => s.close(() => resolve()));
    await rm(path, { force: true });
  };
  await listen();
  return { path, requests, cut, restore: listen, close: cut };
}
