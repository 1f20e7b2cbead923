/**
 * @module One tunnel: relays a browser WebSocket and a guacd connection after the handshake.
 * guacd → browser: whole instructions only, coalesced per TCP frame; `error` becomes the close
 * reason. Browser → guacd: internal pings answered here, input recorded as activity, and in
 * read-only sessions everything but `sync`/`ack`/`nop`/`disconnect` dropped.
 */
import { randomUUID } from "node:crypto";
import type { WebSocket } from "ws";
import type { ClientDisplay } from "./guacd.ts";
import { HandshakeError, openGuacd } from "./guacd.ts";
import type { GuacdConnection } from "./guacd.ts";
import type { LiveSession, TunnelGateway } from "./desktop.ts";
import { InstructionParser } from "./parser.ts";
import type { Instruction } from "./parser.ts";
import { GUAC_STATUS, closeReason, encodeInstruction, webSocketCode } from "./protocol.ts";
import type { TunnelGrant } from "./tokens.ts";

const INPUT = new Set(["key", "mouse", "touch"]);
const READ_ONLY_ALLOWED = new Set(["sync", "ack", "nop", "disconnect"]);
const HIGH_WATER = 4 * 1024 * 1024;

/** Runs a tunnel until either side closes. Resolves when it is over. */
export async function runSession(
  ws: WebSocket,
  grant: TunnelGrant,
  display: ClientDisplay,
  gateway: TunnelGateway,
  guacd: { host: string; port: number },
  options: { handshakeTimeoutMs?: number } = {},
): Promise<void> {
  const abort = new AbortController();
  let closed = false;
  let guac: GuacdConnection | undefined;
  const session: LiveSession = {
    handle: grant.handle,
    readOnly: grant.readOnly,
    close(status, message) {
      if (closed) return;
      closed = true;
      abort.abort();
      guac?.socket.destroy();
      if (ws.readyState === ws.OPEN || ws.readyState === ws.CONNECTING) ws.close(webSocketCode(status), closeReason(status, message));
    },
  };
  gateway.add(session);
  const done = new Promise<void>((resolve) => ws.once("close", () => resolve()));
  ws.once("close", (code: number, reason: Buffer) => {
    if (session.connectionId) gateway.ctx.logger.info("desktop tunnel closed", { desktop: grant.handle.id, user: grant.username, code, reason: reason.toString() });
    closed = true;
    abort.abort();
    guac?.socket.destroy();
    gateway.remove(session);
  });
  // Browser input that arrives during the handshake waits here.
  const early: string[] = [];
  let earlySize = 0;
  const onEarly = (data: Buffer | string) => {
    const text = data.toString();
    earlySize += text.length;
    if (earlySize > 1024 * 1024) session.close(GUAC_STATUS.CLIENT_OVERRUN, "too much input before the desktop was ready");
    else early.push(text);
  };
  ws.on("message", onEarly);
  if (closed) return done;

  try {
    guac = await openGuacd(guacd, await gateway.target(grant), display, { timeoutMs: options.handshakeTimeoutMs ?? 15_000, signal: abort.signal });
  } catch (e) {
    const status = e instanceof HandshakeError ? e.status : GUAC_STATUS.SERVER_ERROR;
    session.close(status, e instanceof HandshakeError ? e.message : "could not open the desktop");
    return done;
  }
  if (closed) {
    guac.socket.destroy();
    return done;
  }
  session.connectionId = guac.connectionId;
  gateway.ctx.logger.info("desktop tunnel open", { desktop: grant.handle.id, user: grant.username, readOnly: grant.readOnly });
  ws.off("message", onEarly);
  const g = guac;

  // guacd → browser
  const forward = (text: string, instructions: readonly Instruction[]) => {
    if (text.length > 0) {
      ws.send(text);
      if (ws.bufferedAmount > HIGH_WATER && !g.socket.isPaused()) {
        g.socket.pause();
        const wait = setInterval(() => {
          if (ws.bufferedAmount < HIGH_WATER / 2 || closed) {
            clearInterval(wait);
            g.socket.resume();
          }
        }, 5);
      }
    }
    for (const ins of instructions) {
      if (ins.opcode === "error") return session.close(Number(ins.args[1]) || GUAC_STATUS.SERVER_ERROR, `guacd: ${ins.args[0] ?? "error"}`);
      if (ins.opcode === "disconnect") return session.close(GUAC_STATUS.SUCCESS, "guacd ended the session");
    }
  };
  ws.send(encodeInstruction("", randomUUID()));
  forward(g.early, g.earlyInstructions);
  g.socket.on("data", (chunk: Buffer) => {
    try {
      const { complete, instructions } = g.parser.push(g.decoder.write(chunk));
      forward(complete, instructions);
    } catch (e) {
      session.close(GUAC_STATUS.UPSTREAM_ERROR, (e as Error).message);
    }
  });
  g.socket.on("error", () => session.close(GUAC_STATUS.UPSTREAM_ERROR, "guacd connection failed"));
  g.socket.on("close", () => session.close(GUAC_STATUS.RESOURCE_CLOSED, "guacd closed the connection"));
  g.socket.resume();

  // browser → guacd
  const fromBrowser = new InstructionParser({ maxPending: 1024 * 1024 });
  const onMessage = (data: Buffer | string) => {
    let instructions: readonly Instruction[];
    try {
      ({ instructions } = fromBrowser.push(data.toString()));
    } catch (e) {
      return session.close(GUAC_STATUS.CLIENT_BAD_REQUEST, (e as Error).message);
    }
    let out = "";
    for (const ins of instructions) {
      if (ins.opcode === "") {
        if (ins.args[0] === "ping") ws.send(ins.raw);
        continue;
      }
      if (grant.readOnly && !READ_ONLY_ALLOWED.has(ins.opcode)) continue;
      if (INPUT.has(ins.opcode)) gateway.recordActivity(grant.handle.id);
      out += ins.raw;
    }
    if (out) g.socket.write(out);
  };
  for (const m of early) onMessage(m);
  ws.on("message", onMessage);
  return done;
}
