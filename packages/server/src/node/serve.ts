/**
 * @module The Node host: builds Calipso from a configuration, serves `createApp()` with
 * @hono/node-server, runs `reconcile`/`reap` in the background, and shuts down gracefully.
 */
import { hkdfSync } from "node:crypto";
import { createServer } from "node:http";
import type { Server } from "node:http";
import type { AddressInfo } from "node:net";
import { hostname } from "node:os";
import { getRequestListener } from "@hono/node-server";
import type { OpenAPIHono } from "@hono/zod-openapi";
import { decodeBase64 } from "@oslojs/encoding";
import type { Logger, Store } from "@calipso/core";
import { createApp } from "../app.ts";
import type { AppEnv } from "../env.ts";
import { buildCalipso } from "./build.ts";
import type { BuiltCalipso } from "./build.ts";
import { clientAddressResolver, createAddressMatcher, peerAddress } from "./client-address.ts";
import type { LoadedConfig } from "./config/load.ts";
import { swaggerUiAssets } from "./docs-assets.ts";
import { createMetrics } from "./metrics.ts";
import type { Metrics } from "./metrics.ts";
import { startBackgroundLoop } from "./background.ts";
import { runWithRequestId } from "./logger.ts";
import { mountTunnel } from "./tunnel.ts";

export interface RunningServer {
  /** `http://host:port` the server listens on. */
  readonly url: string;
  readonly port: number;
  readonly app: OpenAPIHono<AppEnv>;
  readonly built: BuiltCalipso;
  readonly server: Server;
  /** Graceful stop: refuse new connections, finish in-flight requests, end event streams, dispose providers. */
  close(): Promise<void>;
}

export interface StartOptions {
  readonly logger: Logger;
  readonly port?: number;
  readonly host?: string;
}

/** The CSRF key, derived from the secret key (so every replica with the same key agrees). */
export function deriveCsrfKey(secretKey: string): Uint8Array {
  return new Uint8Array(hkdfSync("sha256", decodeBase64(secretKey), new Uint8Array(0), "calipso csrf v1", 32));
}

/** Starts the server described by `loaded`. */
export async function startServer(loaded: LoadedConfig, options: StartOptions): Promise<RunningServer> {
  const { config } = loaded;
  const s = config.server;
  const logger = options.logger;
  const shutdown = new AbortController();
  let metrics: Metrics | undefined;
  const built = await buildCalipso(loaded, {
    logger,
    signal: shutdown.signal,
    onStore: (store: Store) => {
      if (s.metrics) metrics = createMetrics(store);
    },
    instrument: (name, backend) => (metrics ? metrics.instrument(name, backend) : backend),
  });
  const trusted = createAddressMatcher(s.trustedProxies);
  let readyUntil = 0;
  const app = createApp(built.calipso, {
    csrfKey: deriveCsrfKey(config.secretKey),
    secrets: built.secrets,
    cookie: { name: s.cookieName, secure: s.secureCookies },
    ...(s.publicUrl ? { publicUrl: s.publicUrl } : {}),
    allowedOrigins: s.allowedOrigins,
    clientAddress: clientAddressResolver(trusted),
    fromTrustedProxy: (c) => trusted(peerAddress(c)),
    peerAddress,
    federatedHeaders: s.federatedHeaders,
    loginRateLimit: s.loginRateLimit,
    ...(s.docs ? { docsAssets: swaggerUiAssets() } : {}),
    afterLoginUrl: s.afterLoginUrl,
    logger,
    runWithRequestId,
    signal: shutdown.signal,
    ...(metrics ? { onResponse: (info) => metrics!.observe(info) } : {}),
    ready: async () => {
      if (Date.now() < readyUntil) return;
      await built.store.ping();
      const selector = { "calipso.deployment": config.deploymentId };
      await Promise.all(Object.values(built.compute).map((b) => b.list(selector)));
      readyUntil = Date.now() + 5000;
    },
  });
  if (metrics) {
    const m = metrics;
    app.get("/metrics", async (c) => c.body(await m.render(), 200, { "content-type": m.contentType }));
  }

  const tunnel = await mountTunnel(built.desktop, built.calipso, s.cookieName, logger);
  const listener = getRequestListener(app.fetch);
  const server = createServer((req, res) => {
    if (tunnel?.handleRequest(req, res)) return;
    void listener(req, res);
  });
  tunnel?.attach(server);
  await new Promise<void>((resolveListen, reject) => {
    server.once("error", reject);
    server.listen(options.port ?? s.port, options.host ?? s.host, () => resolveListen());
  });
  const address = server.address() as AddressInfo;
  const host = address.family === "IPv6" ? `[${address.address}]` : address.address;
  const url = `http://${host}:${address.port}`;
  const loop = startBackgroundLoop(built.calipso, config.background, logger, `${hostname()}:${process.pid}`);

  let closing: Promise<void> | undefined;
  const close = () =>
    (closing ??= (async () => {
      logger.info("shutting down", { graceSec: s.shutdownGraceSec });
      loop.stop();
      const closed = new Promise<void>((r) => server.close(() => r()));
      server.closeIdleConnections();
      shutdown.abort();
      await tunnel?.close();
      const grace = setTimeout(() => server.closeAllConnections(), s.shutdownGraceSec * 1000);
      await closed;
      clearTimeout(grace);
      await loop.idle();
      await built.close();
      logger.info("stopped");
    })());
  return { url, port: address.port, app, built, server, close };
}
