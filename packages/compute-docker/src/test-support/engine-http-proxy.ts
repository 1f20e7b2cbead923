/**
 * @module An HTTP proxy on a Unix socket in front of the real engine's socket, for tests: it forwards
 * every request unchanged, except those `answer` chooses to answer itself. It injects an engine
 * reply that the real engine gives only by chance (a race), into an otherwise real conversation.
 */
import { rmSync } from "node:fs";
import { createServer, request } from "node:http";
import type { IncomingMessage } from "node:http";

/** What the proxy answers instead of the engine: a status and a JSON body. */
export interface InjectedReply {
  readonly status: number;
  readonly body: unknown;
}

export interface EngineHttpProxy {
  readonly path: string;
  /** Every request seen, as "METHOD /path". */
  readonly requests: string[];
  close(): Promise<void>;
}

/** Starts the proxy on `path`, forwarding to the engine socket `target`. */
export async function startEngineHttpProxy(path: string, target: string, answer: (req: IncomingMessage) => InjectedReply | undefined): Promise<EngineHttpProxy> {
  rmSync(path, { force: true });
  const requests: string[] = [];
  const server = createServer((req, res) => {
    requests.push(`${req.method} ${req.url}`);
    const injected = answer(req);
    if (injected) {
      req.resume();
      res.writeHead(injected.status, { "content-type": "application/json" });
      res.end(JSON.stringify(injected.body));
      return;
    }
    const upstream = request({ socketPath: target, method: req.method, path: req.url, headers: req.headers }, (up) => {
      res.writeHead(up.statusCode ?? 502, up.headers);
      up.pipe(res);
    });
    upstream.on("error", () => res.destroy());
    req.pipe(upstream);
  });
  await new Promise<void>((resolve) => server.listen(path, resolve));
  return {
    path,
    requests,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
