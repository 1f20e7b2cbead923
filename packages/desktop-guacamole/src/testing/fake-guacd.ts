/**
 * @module A FAKE guacd for tests and benchmarks (no real guacd runs on these machines). It
 * replays the handshake recorded from a real guacd 1.6.0 talking to TigerVNC (the same `args`
 * list, `ready` with a `$uuid`, cursor and default-layer `size`, `sync` with two arguments) and
 * records what its client sent. It is not guacd: it never speaks VNC/RDP/SSH.
 */
import { randomUUID } from "node:crypto";
import net from "node:net";
import { StringDecoder } from "node:string_decoder";
import { InstructionParser } from "../tunnel/parser.ts";
import { encodeInstruction } from "../tunnel/protocol.ts";

/** The `args` real guacd 1.6.0 sends for `select vnc` (recorded), after its protocol version. */
export const VNC_ARGS = [
  "VERSION_1_5_0", "hostname", "port", "read-only", "disable-display-resize", "encodings", "username", "password",
  "swap-red-blue", "color-depth", "cursor", "autoretry", "clipboard-encoding", "dest-host", "dest-port", "reverse-connect",
  "listen-timeout", "enable-sftp", "sftp-hostname", "sftp-host-key", "sftp-port", "sftp-timeout", "sftp-username",
  "sftp-password", "sftp-private-key", "sftp-passphrase", "sftp-public-key", "sftp-directory", "sftp-root-directory",
  "sftp-server-alive-interval", "sftp-disable-download", "sftp-disable-upload", "recording-path", "recording-name",
  "recording-exclude-output", "recording-exclude-mouse", "recording-include-keys", "create-recording-path",
  "recording-write-existing", "disable-copy", "disable-paste", "disable-server-input", "wol-send-packet", "wol-mac-addr",
  "wol-broadcast-addr", "wol-udp-port", "wol-wait-time", "force-lossless", "compress-level", "quality-level",
] as const;

/** One client connection as the fake saw it. */
export interface FakeGuacdConnection {
  readonly id: string;
  select?: string;
  /** Opcodes of the handshake, in the order received (select … connect). */
  readonly handshake: string[];
  /** Arguments of the handshake instructions by opcode. */
  readonly handshakeArgs: Record<string, string[]>;
  /** `connect` values by `args` name (the first, the version, under `VERSION`). */
  connect?: Record<string, string>;
  /** Every instruction received after `ready`, `[opcode, ...args]`. */
  readonly received: string[][];
  /** Writes instructions to the client (honouring the fake's chunking). */
  send(text: string): Promise<void>;
  /** Closes the TCP connection as guacd would on exit. */
  end(): void;
  readonly closed: Promise<void>;
}

/** Behaviour of the fake. */
export interface FakeGuacdOptions {
  /** The desktop password; a different one gets `ready` and then `error "Aborted. See logs." "519"` (as real guacd). */
  readonly password?: string;
  /** How output reaches the socket: as written, cut into 1–3 byte frames, or everything of a step in one frame. */
  readonly chunking?: "as-is" | "split";
  /** Close right after `args` (a guacd that dies during the handshake). */
  readonly closeAfterArgs?: boolean;
  /** What to send after `ready` (default: cursor and display `size`, a filled rect, `sync`). */
  readonly afterReady?: (conn: FakeGuacdConnection) => void | Promise<void>;
}

/** A running fake guacd on 127.0.0.1. */
export interface FakeGuacd {
  readonly host: string;
  readonly port: number;
  readonly connections: FakeGuacdConnection[];
  close(): Promise<void>;
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** The default drawing after `ready`: what real guacd sends first, then a red 10×10 rectangle. */
export async function defaultAfterReady(conn: FakeGuacdConnection): Promise<void> {
  const size = conn.handshakeArgs.size ?? ["1024", "768"];
  await conn.send(
    encodeInstruction("size", -2, 11, 16) +
      encodeInstruction("size", 0, size[0]!, size[1]!) +
      encodeInstruction("rect", 0, 0, 0, 10, 10) +
      encodeInstruction("cfill", 14, 0, 255, 0, 0, 255) +
      encodeInstruction("sync", Date.now(), 1),
  );
}

/** Starts a fake guacd on a random loopback port. */
export async function startFakeGuacd(options: FakeGuacdOptions = {}): Promise<FakeGuacd> {
  const connections: FakeGuacdConnection[] = [];
  const sockets = new Set<net.Socket>();
  const server = net.createServer((socket) => {
    sockets.add(socket);
    socket.setNoDelay(true);
    let closedResolve!: () => void;
    const conn: FakeGuacdConnection = {
      id: `$${randomUUID()}`,
      handshake: [],
      handshakeArgs: {},
      received: [],
      closed: new Promise<void>((r) => (closedResolve = r)),
      async send(text) {
        if (socket.destroyed) return;
        if (options.chunking !== "split") {
          socket.write(text);
          return;
        }
        const bytes = Buffer.from(text, "utf8");
        for (let i = 0; i < bytes.length && !socket.destroyed; ) {
          const n = 1 + (i % 3);
          socket.write(bytes.subarray(i, i + n));
          i += n;
          await sleep(1);
        }
      },
      end() {
        socket.end();
      },
    };
    connections.push(conn);
    socket.on("close", () => {
      sockets.delete(socket);
      closedResolve();
    });
    socket.on("error", () => socket.destroy());
    const decoder = new StringDecoder("utf8");
    const parser = new InstructionParser();
    let ready = false;
    let queue = Promise.resolve();
    socket.on("data", (chunk) => {
      let instructions;
      try {
        ({ instructions } = parser.push(decoder.write(chunk)));
      } catch {
        socket.destroy();
        return;
      }
      for (const ins of instructions) {
        if (ready) {
          conn.received.push([ins.opcode, ...ins.args]);
          if (ins.opcode === "disconnect") socket.end();
          continue;
        }
        conn.handshake.push(ins.opcode);
        conn.handshakeArgs[ins.opcode] = [...ins.args];
        if (ins.opcode === "select") {
          conn.select = ins.args[0] ?? "";
          const known = conn.select === "vnc" || connections.some((c) => c !== conn && c.id === conn.select);
          if (!known) {
            socket.destroy();
            return;
          }
          queue = queue.then(async () => {
            await conn.send(encodeInstruction("args", ...VNC_ARGS));
            if (options.closeAfterArgs) socket.end();
          });
        } else if (ins.opcode === "connect") {
          const values: Record<string, string> = {};
          VNC_ARGS.forEach((name, i) => (values[i === 0 ? "VERSION" : name] = ins.args[i] ?? ""));
          conn.connect = values;
          ready = true;
          queue = queue.then(async () => {
            await conn.send(encodeInstruction("ready", conn.id));
            if (options.password !== undefined && values.password !== options.password && !conn.select?.startsWith("$")) {
              await conn.send(encodeInstruction("error", "Aborted. See logs.", 519));
              socket.end();
              return;
            }
            await (options.afterReady ?? defaultAfterReady)(conn);
          });
        }
      }
    });
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const port = (server.address() as net.AddressInfo).port;
  return {
    host: "127.0.0.1",
    port,
    connections,
    async close() {
      for (const s of sockets) s.destroy();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}
