/** @module `@calipso/desktop-guacamole/tunnel` — the built-in Guacamole tunnel (Node only). */
export { createTunnelServer } from "./server.ts";
export type { TunnelServer, TunnelServerOptions } from "./server.ts";
export { clientPageHtml, guacamoleCommonJsPath, tunnelAssets } from "./client-page.ts";
export type { TunnelAsset } from "./client-page.ts";
export { tunnelGatewayOf } from "./desktop.ts";
export type { TunnelGateway } from "./desktop.ts";
export { InstructionParser, ProtocolViolation } from "./parser.ts";
export type { Instruction, ParseResult } from "./parser.ts";
export { GUAC_STATUS, closeReason, codePointLength, encodeInstruction, statusName } from "./protocol.ts";
