/** @module Starts the reference user office on a free loopback port (for tests and the demo). */
import { serve } from "@hono/node-server";
import type { AddressInfo } from "node:net";
import { createUserOfficeApp } from "./app.ts";
import type { UserOfficeOptions } from "./app.ts";
import { UserOfficeDataSchema } from "./data.ts";
import type { UserOfficeDataInput } from "./data.ts";

/** A running reference user office. */
export interface RunningUserOffice {
  /** Base URL without a trailing slash, e.g. `http://127.0.0.1:41234`. */
  readonly url: string;
  close(): Promise<void>;
}

/** Starts the reference user office on 127.0.0.1 and an ephemeral (or given) port. */
export async function startUserOffice(data: UserOfficeDataInput, options: UserOfficeOptions & { port?: number } = {}): Promise<RunningUserOffice> {
  const app = createUserOfficeApp(UserOfficeDataSchema.parse(data), options);
  return new Promise((resolve) => {
    const server = serve({ fetch: app.fetch, hostname: "127.0.0.1", port: options.port ?? 0 }, (info: AddressInfo) => {
      resolve({
        url: `http://127.0.0.1:${info.port}`,
        close: () =>
          new Promise<void>((done) => {
            if ("closeAllConnections" in server) server.closeAllConnections();
            server.close(() => done());
          }),
      });
    });
  });
}
