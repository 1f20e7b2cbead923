/**
 * @module @calipso/desktop-guacamole — Apache Guacamole as Calipso's remote desktop gateway.
 * The root export is web-standard; the tunnel server is at `@calipso/desktop-guacamole/tunnel`
 * and the Guacamole schema and fake guacd for tests at `@calipso/desktop-guacamole/testing`.
 */
export { guacamoleDesktop, guacamoleDesktop as default } from "./provider.ts";
export { GuacamoleConfigSchema, JdbcConfigSchema, JsonConfigSchema, TunnelConfigSchema } from "./config.ts";
export type { GuacamoleConfig, JdbcConfig, JsonConfig, TunnelConfig } from "./config.ts";
export { createJsonToken, verifyJsonToken } from "./json/token.ts";
export type { JsonConnection, JsonTokenPayload } from "./json/token.ts";
export { jsonAccessUrl } from "./json/desktop.ts";
export { hashGuacamolePassword } from "./jdbc/password.ts";
export type { GuacamolePasswordHash } from "./jdbc/password.ts";
export { connectionParameters, GUACAMOLE_PROTOCOLS } from "./connection.ts";
export type { GuacamoleProtocol } from "./connection.ts";
