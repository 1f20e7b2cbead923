/** @module `@calipso/desktop-guacamole/testing` — a fake guacd and the Guacamole schema for tests and benchmarks. */
export { startFakeGuacd, defaultAfterReady, VNC_ARGS } from "./fake-guacd.ts";
export type { FakeGuacd, FakeGuacdConnection, FakeGuacdOptions } from "./fake-guacd.ts";
export { GUACAMOLE_SCHEMA } from "../jdbc/schema.ts";
