/**
 * @module Starts the reference user office on 127.0.0.1.
 * Usage: `npm start -w @calipso/example-user-office -- [data.yaml] [port]` (defaults: data/sample.yaml, 8090).
 */
import { serve } from "@hono/node-server";
import { fileURLToPath } from "node:url";
import { createUserOfficeApp } from "./app.ts";
import { loadUserOfficeData } from "./data.ts";

const dataPath = process.argv[2] ?? process.env.USER_OFFICE_DATA ?? fileURLToPath(new URL("../data/sample.yaml", import.meta.url));
const port = Number(process.argv[3] ?? process.env.USER_OFFICE_PORT ?? 8090);
const data = await loadUserOfficeData(dataPath);
const server = serve({ fetch: createUserOfficeApp(data).fetch, hostname: "127.0.0.1", port }, (info) => {
  process.stdout.write(`user office listening on http://127.0.0.1:${info.port} (data: ${dataPath})\n`);
});
const stop = () => server.close(() => process.exit(0));
process.once("SIGINT", stop);
process.once("SIGTERM", stop);
