/**
 * @module The `guacamole` remote desktop provider: one definition, three modes (`jdbc`, `json`,
 * `tunnel`). Each mode's code is loaded on demand, so `json` stays web-standard.
 */
import { defineRemoteDesktop } from "@calipso/sdk";
import { GuacamoleConfigSchema } from "./config.ts";
import { GUACAMOLE_PROTOCOLS } from "./connection.ts";
import { PROVIDER_NAME } from "./handle.ts";

/**
 * Apache Guacamole as Calipso's desktop gateway.
 *
 * @example
 * desktop:
 *   provider: guacamole
 *   config: { mode: json, guacamoleUrl: https://desk.example.org/guacamole, secretKey: ${GUAC_JSON_KEY} }
 */
export const guacamoleDesktop = defineRemoteDesktop({
  name: PROVIDER_NAME,
  description: "Apache Guacamole: JDBC database rows, encrypted JSON tokens, or a built-in guacd tunnel",
  configSchema: GuacamoleConfigSchema,
  capabilities: { list: true, activity: true, readOnlyAccess: true, protocols: [...GUACAMOLE_PROTOCOLS] },
  async create(config, ctx) {
    switch (config.mode) {
      case "json":
        return (await import("./json/desktop.ts")).createJsonDesktop(config, ctx);
      case "jdbc":
        return (await import("./jdbc/desktop.ts")).createJdbcDesktop(config, ctx);
      case "tunnel":
        return (await import("./tunnel/desktop.ts")).createTunnelDesktop(config, ctx);
    }
  },
});

export default guacamoleDesktop;
