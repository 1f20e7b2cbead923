/**
 * @module The guacd side of the tunnel: connect over TCP and run the handshake
 * (select → args → size/audio/video/image/timezone → connect → ready).
 */
import net from "node:net";
import { StringDecoder } from "node:string_decoder";
import { GUAC_STATUS, encodeInstruction } from "./protocol.ts";
import { InstructionParser } from "./parser.ts";
import type { Instruction } from "./parser.ts";

/** Display properties the browser reports (Guacamole's GUAC_* tunnel parameters). */
export interface ClientDisplay {
  readonly width: number;
  readonly height: number;
  readonly dpi: number;
  readonly audio: readonly string[];
  readonly video: readonly string[];
  readonly image: readonly string[];
  readonly timezone?: string | undefined;
}

/** What to open: a new connection of a protocol, or an existing guacd connection to join. */
export interface GuacdTarget {
  /** `vnc`/`rdp`/`ssh`, or the `$id` of an active connection to join. */
  readonly select: string;
  readonly parameters: Readonly<Record<string, string>>;
}

/** A guacd connection after `ready`. */
export interface GuacdConnection {
  readonly socket: net.Socket;
  readonly decoder: StringDecoder;
  readonly parser: InstructionParser;
  /** guacd's id of the connection (`$uuid`), which others can join. */
  readonly connectionId: string;
  /** Instructions guacd sent right after `ready`, in the same frames. */
  readonly early: string;
  readonly earlyInstructions: readonly Instruction[];
}

/** The handshake failed; `status` is a Guacamole status code for the close reason. */
export class HandshakeError extends Error {
  override readonly name = "HandshakeError";
  constructor(
    readonly status: number,
    message: string,
  ) {
    super(message);
  }
}

/** Protocol versions this tunnel speaks; guacd's offer is echoed when we know it. */
const VERSIONS = new Set(["VERSION_1_0_0", "VERSION_1_1_0", "VERSION_1_3_0", "VERSION_1_5_0"]);

/**
 * Connects to guacd and completes the handshake. Rejects with {@link HandshakeError}
 * (guacd unreachable, closed, timed out, `error` instruction, or protocol violation).
 */
export function openGuacd(
  address: { host: string; port: number },
  target: GuacdTarget,
  display: ClientDisplay,
  options: { timeoutMs?: number; signal?: AbortSignal } = {},
): Promise<GuacdConnection> {
  return new Promise((resolve, reject) => {
    const socket = net.connect({ host: address.host, port: address.port });
    socket.setNoDelay(true);
    const decoder = new StringDecoder("utf8");
    const parser = new InstructionParser();
    let settled = false;
    const fail = (status: number, message: string) => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      socket.destroy();
      reject(new HandshakeError(status, message));
    };
    const timer = setTimeout(() => fail(GUAC_STATUS.UPSTREAM_TIMEOUT, "guacd did not complete the handshake in time"), options.timeoutMs ?? 15_000);
    options.signal?.addEventListener("abort", () => fail(GUAC_STATUS.SESSION_CLOSED, "tunnel closed during the handshake"), { once: true });
    socket.on("error", (e: NodeJS.ErrnoException) => fail(GUAC_STATUS.UPSTREAM_UNAVAILABLE, `guacd is unreachable (${e.code ?? "socket error"})`));
    socket.on("close", () => fail(GUAC_STATUS.UPSTREAM_UNAVAILABLE, "guacd closed the connection during the handshake"));
    socket.on("connect", () => socket.write(encodeInstruction("select", target.select)));

    const onData = (chunk: Buffer) => {
      let instructions: readonly Instruction[];
      try {
        ({ instructions } = parser.push(decoder.write(chunk)));
      } catch (e) {
        return fail(GUAC_STATUS.UPSTREAM_ERROR, (e as Error).message);
      }
      for (let k = 0; k < instructions.length; k++) {
        const ins = instructions[k]!;
        if (ins.opcode === "args") sendHandshake(socket, ins.args, target, display);
        else if (ins.opcode === "error") return fail(Number(ins.args[1]) || GUAC_STATUS.SERVER_ERROR, ins.args[0] ?? "guacd error");
        else if (ins.opcode === "ready") {
          settled = true;
          clearTimeout(timer);
          socket.off("data", onData);
          socket.removeAllListeners("error");
          socket.removeAllListeners("close");
          socket.pause();
          const rest = instructions.slice(k + 1);
          resolve({
            socket,
            decoder,
            parser,
            connectionId: ins.args[0] ?? "",
            early: rest.map((r) => r.raw).join(""),
            earlyInstructions: rest,
          });
          return;
        } else return fail(GUAC_STATUS.UPSTREAM_ERROR, `unexpected "${ins.opcode}" during the handshake`);
      }
    };
    socket.on("data", onData);
  });
}

function sendHandshake(socket: net.Socket, argNames: readonly string[], target: GuacdTarget, display: ClientDisplay): void {
  const [first, ...names] = argNames;
  const hasVersion = first !== undefined && first.startsWith("VERSION_");
  const version = hasVersion ? (VERSIONS.has(first) ? first : "VERSION_1_5_0") : undefined;
  const values = (hasVersion ? names : argNames).map((name) => target.parameters[name] ?? "");
  socket.write(
    encodeInstruction("size", display.width, display.height, display.dpi) +
      encodeInstruction("audio", ...display.audio) +
      encodeInstruction("video", ...display.video) +
      encodeInstruction("image", ...display.image) +
      (display.timezone && version !== "VERSION_1_0_0" ? encodeInstruction("timezone", display.timezone) : "") +
      encodeInstruction("connect", ...(version ? [version] : []), ...values),
  );
}
