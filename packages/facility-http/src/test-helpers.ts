/** @module Test helpers: the reference user office on a free port, and a raw node:http server that misbehaves. */
import { createServer } from "node:http";
import type { IncomingMessage, Server, ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import type { Socket } from "node:net";
import { instantiate, silentLogger } from "@calipso/core";
import type { Logger, ProviderContext } from "@calipso/core";
import { createTestContext } from "@calipso/sdk/testing";
import type { FacilityHttpConfig } from "./config.ts";
import { facilityHttpAuth } from "./auth.ts";
import { facilityHttpExperiments } from "./experiments.ts";
import type { FacilityHttpExperimentSource } from "./experiments.ts";

/** A raw loopback server whose handler the test chooses; records every request. */
export interface RawServer {
  readonly url: string;
  readonly requests: { method: string; url: string; authorization?: string | undefined }[];
  /** Sockets closed by the peer (to prove a cut-off body stops the transfer). */
  readonly closedEarly: { count: number };
  close(): Promise<void>;
}

export async function startRawServer(handler: (req: IncomingMessage, res: ServerResponse, socket: Socket) => void): Promise<RawServer> {
  const requests: RawServer["requests"] = [];
  const closedEarly = { count: 0 };
  const sockets = new Set<Socket>();
  const server: Server = createServer((req, res) => {
    requests.push({ method: req.method ?? "", url: req.url ?? "", authorization: req.headers.authorization });
    res.on("close", () => {
      if (!res.writableFinished) closedEarly.count++;
    });
    handler(req, res, req.socket);
  });
  server.on("connection", (s) => {
    sockets.add(s);
    s.on("close", () => sockets.delete(s));
  });
  await new Promise<void>((r) => server.listen(0, "127.0.0.1", r));
  const port = (server.address() as AddressInfo).port;
  return {
    url: `http://127.0.0.1:${port}`,
    requests,
    closedEarly,
    close: () =>
      new Promise<void>((r) => {
        for (const s of sockets) s.destroy();
        server.close(() => r());
      }),
  };
}

/** Both parts of facility-http, created from one config through `instantiate()`. */
export async function createFacilityHttp(config: FacilityHttpConfig, ctx: ProviderContext = createTestContext()) {
  const auth = await instantiate(facilityHttpAuth, config, ctx);
  const experiments = (await instantiate(facilityHttpExperiments, config, ctx)) as FacilityHttpExperimentSource;
  return { auth, experiments };
}

/** A logger that records warnings (message and fields), to check what a provider logs. */
export function recordingLogger(): Logger & { warnings: { message: string; fields?: Record<string, unknown> | undefined }[] } {
  const warnings: { message: string; fields?: Record<string, unknown> | undefined }[] = [];
  const logger = {
    ...silentLogger,
    warnings,
    warn(message: string, fields?: Record<string, unknown>) {
      warnings.push({ message, fields });
    },
    child: () => logger,
  };
  return logger;
}
