import type { RowDataPacket } from "mysql2/promise";
import { afterAll, beforeAll, describe } from "vitest";
import { instantiate } from "@calipso/core";
import type { DesktopHandle, RemoteDesktop } from "@calipso/core";
import { describeRemoteDesktop, createTestContext } from "@calipso/sdk/testing";
import { guacamoleDesktop } from "./provider.ts";
import { createTestDatabase, startFakeGuacamoleApi } from "./jdbc/test-support.ts";
import type { FakeGuacamoleApi, TestDatabase } from "./jdbc/test-support.ts";
import { startFakeGuacd } from "./testing/fake-guacd.ts";
import type { FakeGuacd } from "./testing/fake-guacd.ts";

const ctx = createTestContext();
const KEY = "0123456789abcdef0123456789abcdef";

/** json/tunnel store nothing at Guacamole: what "the gateway holds" is what the provider lists (process-wide). */
const listedBy = (config: object) => ({
  async exists(handle: DesktopHandle) {
    const probe: RemoteDesktop = await instantiate(guacamoleDesktop, config, ctx);
    return (await probe.list!()).some((r) => r.handle.id === handle.id);
  },
});

const jsonConfig = { mode: "json", guacamoleUrl: "https://desk.example.org/guacamole", secretKey: KEY } as const;
describeRemoteDesktop({
  definition: guacamoleDesktop,
  config: jsonConfig,
  ctx,
  invalidConfigs: [
    { config: { ...jsonConfig, secretKey: "short" }, field: "secretKey" },
    { config: { ...jsonConfig, guacamoleUrl: "ftp://x" }, field: "guacamoleUrl" },
    { config: { ...jsonConfig, mode: "carrier-pigeon" }, field: "mode" },
  ],
  inspect: listedBy(jsonConfig),
});

// The tunnel's guacd is a FAKE (no real guacd on these machines); the kit only registers and mints access.
let guacd: FakeGuacd | undefined;
const tunnelConfig = { mode: "tunnel", publicUrl: "http://127.0.0.1:8080", guacd: { host: "127.0.0.1", port: 4822 } } as const;
describe("tunnel mode (fake guacd)", () => {
  beforeAll(async () => {
    guacd = await startFakeGuacd();
  });
  afterAll(async () => guacd?.close());
  describeRemoteDesktop({
    definition: guacamoleDesktop,
    config: tunnelConfig,
    ctx,
    invalidConfigs: [
      { config: { ...tunnelConfig, publicUrl: "not a url" }, field: "publicUrl" },
      { config: { ...tunnelConfig, path: "desktop" }, field: "path" },
      { config: { ...tunnelConfig, guacd: { port: 0 } }, field: "guacd.port" },
    ],
    inspect: listedBy(tunnelConfig),
  });
});

const db = await createTestDatabase();
if (typeof db === "string" && process.env.CALIPSO_REQUIRE_REAL === "1") throw new Error(`CALIPSO_REQUIRE_REAL=1: ${db}`);
describe.skipIf(typeof db === "string")(`jdbc mode on the real MariaDB${typeof db === "string" ? ` (skipped: ${db})` : ""}`, () => {
  const t = db as TestDatabase;
  // Guacamole's REST token endpoint is a FAKE that checks passwords against the real database.
  let api: FakeGuacamoleApi | undefined;
  const config = {
    mode: "jdbc",
    database: { user: "root", database: t?.name ?? "none" },
    guacamoleUrl: "https://desk.example.org/guacamole",
    apiUrl: "http://127.0.0.1:1/guacamole",
  } as { mode: "jdbc"; database: { user: string; database: string }; guacamoleUrl: string; apiUrl: string };
  beforeAll(async () => {
    api = await startFakeGuacamoleApi(t.pool);
    config.apiUrl = api.url;
  });
  afterAll(async () => {
    await api?.close();
    await t.drop();
  });
  describeRemoteDesktop({
    definition: guacamoleDesktop,
    config,
    ctx,
    invalidConfigs: [
      { config: { ...config, database: { database: "x" } }, field: "database.user" },
      { config: { ...config, sessionTimeoutMinutes: 0 }, field: "sessionTimeoutMinutes" },
    ],
    inspect: {
      async exists(handle) {
        const [rows] = await t.pool.query<RowDataPacket[]>("SELECT COUNT(*) n FROM guacamole_connection WHERE connection_name = ?", [handle.id]);
        return Number(rows[0]!.n) > 0;
      },
    },
  });
});
