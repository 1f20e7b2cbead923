/** Readiness probes against real loopback sockets: a proxy that accepts then closes is not "ready". */
import { createServer } from "node:net";
import type { AddressInfo, Server, Socket } from "node:net";
import { afterEach, describe, expect, it } from "vitest";
import { tcpProbe, waitUntilReady } from "./readiness.ts";

const servers: Server[] = [];
const sockets = new Set<Socket>();
async function listen(onConnection: (socket: Socket) => void): Promise<number> {
  const server = createServer((socket) => {
    sockets.add(socket);
    socket.on("error", () => undefined);
    onConnection(socket);
  });
  servers.push(server);
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  return (server.address() as AddressInfo).port;
}
afterEach(async () => {
  for (const socket of sockets) socket.destroy();
  sockets.clear();
  await Promise.all(servers.splice(0).map((s) => new Promise((r) => s.close(r))));
});
const never = () => new AbortController().signal;

describe("tcpProbe", () => {
  it("is false for a listener that accepts and closes at once (Docker's userland proxy with nothing behind it)", async () => {
    const port = await listen((socket) => socket.destroy());
    expect(await tcpProbe("127.0.0.1", port, never(), 100)).toBe(false);
  });

  it("is true for a server that keeps the connection open, and at once for one that speaks first (VNC)", async () => {
    const quiet = await listen(() => undefined);
    expect(await tcpProbe("127.0.0.1", quiet, never(), 25)).toBe(true);
    const vnc = await listen((socket) => socket.write("RFB 003.008\n"));
    expect(await tcpProbe("127.0.0.1", vnc, never(), 60_000)).toBe(true);
  });

  it("is false for a closed port", async () => {
    const port = await listen(() => undefined);
    await new Promise((r) => servers.pop()!.close(r));
    expect(await tcpProbe("127.0.0.1", port, never(), 0)).toBe(false);
  });
});

describe("waitUntilReady", () => {
  const base = { host: "127.0.0.1", fetch, intervalMs: 10, settleMs: 25, logs: async () => { throw new Error("no logs"); } };

  it("rejects with alive()'s error when the workload dies while waiting", async () => {
    const port = await listen((socket) => socket.destroy());
    const died = new Error("exited with code 3");
    let calls = 0;
    const alive = async () => {
      if (++calls > 1) throw died;
    };
    const controller = new AbortController();
    const timer = setTimeout(() => controller.abort(new Error("test deadline")), 5000);
    await expect(waitUntilReady({ ...base, readiness: { tcp: true }, port, signal: controller.signal, alive })).rejects.toBe(died);
    clearTimeout(timer);
  });

  it("rejects with the signal's reason when it aborts, and resolves on an HTTP path answering below 500", async () => {
    const port = await listen((socket) => socket.destroy());
    const controller = new AbortController();
    const reason = new Error("deadline");
    setTimeout(() => controller.abort(reason), 100);
    await expect(waitUntilReady({ ...base, readiness: { tcp: true }, port, signal: controller.signal, alive: async () => undefined })).rejects.toBe(reason);
    const http = await listen((socket) =>
      socket.once("data", () => socket.end("HTTP/1.1 404 Not Found\r\nContent-Length: 0\r\nConnection: close\r\n\r\n")),
    );
    await expect(waitUntilReady({ ...base, readiness: { http: "/health" }, port: http, signal: never(), alive: async () => undefined })).resolves.toBeUndefined();
  });
});
