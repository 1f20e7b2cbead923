/**
 * @module Test support: a minimal RFB 3.8 client (own code) that completes the version handshake and
 * VNC authentication (DES challenge) and reads ServerInit, to prove a desktop answers with its password.
 */
import { connect } from "node:net";
import { createCipheriv } from "node:crypto";

/** Outcome of one RFB handshake. */
export type RfbResult =
  | { readonly ok: true; readonly width: number; readonly height: number; readonly name: string; readonly version: string }
  | { readonly ok: false; readonly reason: string; readonly version: string };

/** Reverses the bits of a byte (VNC's DES key quirk). */
function reverseBits(byte: number): number {
  let r = 0;
  for (let i = 0; i < 8; i++) if (byte & (1 << i)) r |= 1 << (7 - i);
  return r;
}

/** The VNC auth response: the challenge encrypted with DES, the password (8 bytes, bit-reversed) as key. */
export function vncResponse(challenge: Buffer, password: string): Buffer {
  const key = Buffer.alloc(8);
  Buffer.from(password, "latin1").copy(key, 0, 0, 8);
  for (let i = 0; i < 8; i++) key[i] = reverseBits(key[i]!);
  // OpenSSL 3 has no single DES by default: triple DES with K1 = K2 (= K3) is single DES.
  const cipher = createCipheriv("des-ede-ecb", Buffer.concat([key, key]), null);
  cipher.setAutoPadding(false);
  return Buffer.concat([cipher.update(challenge), cipher.final()]);
}

/** Connects to `host:port`, authenticates with `password` and reads ServerInit (or the failure reason). */
export function rfbHandshake(host: string, port: number, password: string, timeoutMs = 5000): Promise<RfbResult> {
  return new Promise((resolve, reject) => {
    const socket = connect(port, host);
    let buffer = Buffer.alloc(0);
    const waiters: { n: number; resolve: (b: Buffer) => void }[] = [];
    const pump = () => {
      while (waiters.length > 0 && buffer.length >= waiters[0]!.n) {
        const w = waiters.shift()!;
        const out = buffer.subarray(0, w.n);
        buffer = buffer.subarray(w.n);
        w.resolve(out);
      }
    };
    const read = (n: number) => new Promise<Buffer>((res) => (waiters.push({ n, resolve: res }), pump()));
    const timer = setTimeout(() => (socket.destroy(), reject(new Error(`RFB handshake timed out after ${timeoutMs} ms`))), timeoutMs);
    socket.on("data", (d: Buffer) => ((buffer = Buffer.concat([buffer, d])), pump()));
    socket.on("error", (e) => (clearTimeout(timer), reject(e)));
    socket.on("close", () => (clearTimeout(timer), reject(new Error("connection closed during the RFB handshake"))));
    const finish = (result: RfbResult) => {
      clearTimeout(timer);
      socket.removeAllListeners("close");
      socket.destroy();
      resolve(result);
    };
    void (async () => {
      const version = (await read(12)).toString("latin1");
      if (!/^RFB 003\.00[78]\n$/.test(version)) return finish({ ok: false, reason: `unexpected version ${JSON.stringify(version)}`, version });
      socket.write("RFB 003.008\n");
      const count = (await read(1))[0]!;
      if (count === 0) return finish({ ok: false, reason: "server refused the connection", version });
      const types = [...(await read(count))];
      if (!types.includes(2)) return finish({ ok: false, reason: `no VNC authentication offered (types ${types.join(",")})`, version });
      socket.write(Buffer.from([2]));
      socket.write(vncResponse(await read(16), password));
      const result = (await read(4)).readUInt32BE(0);
      if (result !== 0) {
        const length = (await read(4)).readUInt32BE(0);
        return finish({ ok: false, reason: (await read(length)).toString("utf8"), version });
      }
      socket.write(Buffer.from([1])); // ClientInit: shared
      const init = await read(24);
      const name = (await read(init.readUInt32BE(20))).toString("utf8");
      finish({ ok: true, width: init.readUInt16BE(0), height: init.readUInt16BE(2), name, version });
    })().catch((e: unknown) => (clearTimeout(timer), reject(e)));
  });
}
