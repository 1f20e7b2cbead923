/**
 * @module Benchmark: the Calipso Guacamole tunnel vs guacamole-lite on the same load, side by side.
 *
 * Both tunnels sit in front of the same FAKE guacd (src/testing/fake-guacd.ts of
 * @calipso/desktop-guacamole), which after the handshake streams a fixed instruction load
 * (rect/cfill drawing, 2 KiB PNG blobs, sync). Measured from a WebSocket client:
 * - throughput: instructions per second until the whole load has arrived;
 * - latency: one-way delay of timestamped `sync` instructions sent every 2 ms on an idle
 *   connection, minus the same delay over a direct TCP connection to the fake guacd
 *   (500 probes per round; rounds alternate direct / calipso / guacamole-lite).
 *
 * Run: npx tsx bench/tunnel/index.ts (which starts this file with the `@calipso/source` condition).
 */
import crypto from "node:crypto";
import http from "node:http";
import net from "node:net";
import type { AddressInfo } from "node:net";
import { createRequire } from "node:module";
import { instantiate } from "@calipso/core";
import { testContext } from "@calipso/core/testing";
import guacamoleDesktop from "@calipso/desktop-guacamole";
import { startFakeGuacd } from "@calipso/desktop-guacamole/testing";
import type { FakeGuacdConnection } from "@calipso/desktop-guacamole/testing";
import { createTunnelServer, encodeInstruction } from "@calipso/desktop-guacamole/tunnel";
import { WebSocket } from "ws";

const require = createRequire(import.meta.url);
const GuacamoleLite = require("guacamole-lite") as new (ws: object, guacd: object, client: object) => { close(): void };

const FRAMES = Number(process.env.BENCH_FRAMES ?? 2000);
const PROBES = 500;
const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 3);
const BLOB = crypto.randomBytes(1536).toString("base64"); // 2 KiB of base64, like a small PNG tile

/** One frame of the fixed load: 20 filled rectangles, one PNG image (img/blob/end), one sync. */
function frame(i: number): string {
  let out = "";
  for (let k = 0; k < 20; k++) out += encodeInstruction("rect", 0, (k * 37) % 1000, (i * 13) % 700, 16, 16) + encodeInstruction("cfill", 14, 0, k * 10, 128, 255 - k * 10, 255);
  out += encodeInstruction("img", 1, 14, 0, "image/png", (i * 7) % 1000, (i * 3) % 700) + encodeInstruction("blob", 1, BLOB) + encodeInstruction("end", 1);
  return out + encodeInstruction("sync", i, 1);
}
const PER_FRAME = 20 * 2 + 3 + 1;
const TOTAL = FRAMES * PER_FRAME;

async function write(conn: FakeGuacdConnection & { socket?: net.Socket }, text: string): Promise<void> {
  await conn.send(text);
}

/** The fake guacd's scripts, chosen by the `hostname` connection parameter. */
async function afterReady(conn: FakeGuacdConnection): Promise<void> {
  const mode = conn.connect?.hostname;
  if (mode === "load") {
    let batch = "";
    for (let i = 0; i < FRAMES; i++) {
      batch += frame(i);
      if (batch.length > 64 * 1024) {
        await write(conn, batch);
        batch = "";
        await new Promise((r) => setImmediate(r));
      }
    }
    await write(conn, batch + encodeInstruction("name", "done"));
  } else if (mode === "probe") {
    for (let i = 0; i < PROBES; i++) {
      await write(conn, encodeInstruction("sync", (performance.timeOrigin + performance.now()).toFixed(3), 1));
      await new Promise((r) => setTimeout(r, 2));
    }
    await write(conn, encodeInstruction("name", "done"));
  }
}

/** Reads a WebSocket until `name done`; counts instructions (`;`) and probe delays. */
function consume(url: string): Promise<{ instructions: number; ms: number; delays: number[] }> {
  return new Promise((resolve, reject) => {
    const ws = new WebSocket(url, "guacamole");
    let instructions = 0;
    const delays: number[] = [];
    let t0 = 0;
    ws.on("open", () => (t0 = performance.now()));
    ws.on("message", (data) => {
      const text = data.toString();
      for (let i = text.indexOf(";"); i !== -1; i = text.indexOf(";", i + 1)) instructions++;
      if (text.startsWith("4.sync,") || text.includes(";4.sync,")) {
        const now = performance.timeOrigin + performance.now();
        for (const m of text.matchAll(/4\.sync,\d+\.([\d.]+),/g)) if (m[1]!.includes(".")) delays.push(now - Number(m[1]));
      }
      if (text.includes("4.name,4.done;")) {
        const ms = performance.now() - t0;
        ws.close();
        resolve({ instructions, ms, delays });
      }
    });
    ws.on("error", reject);
    ws.on("close", (code, reason) => reject(new Error(`closed early: ${code} ${reason.toString()}`)));
  });
}

/** The same probes straight from the fake guacd over TCP (the floor both tunnels add to). */
function direct(port: number): Promise<number[]> {
  return new Promise((resolve) => {
    const s = net.connect(port, "127.0.0.1");
    const delays: number[] = [];
    let buf = "";
    s.setNoDelay(true);
    s.on("connect", () => s.write(encodeInstruction("select", "vnc")));
    s.on("data", (d) => {
      buf += d.toString();
      if (buf.includes("4.args,")) {
        buf = "";
        s.write(encodeInstruction("size", 800, 600, 96) + encodeInstruction("audio") + encodeInstruction("video") + encodeInstruction("image", "image/png") + encodeInstruction("connect", "VERSION_1_5_0", "probe"));
        return;
      }
      const now = performance.timeOrigin + performance.now();
      for (const m of buf.matchAll(/4\.sync,\d+\.([\d.]+),/g)) if (m[1]!.includes(".")) delays.push(now - Number(m[1]));
      if (buf.includes("4.name,4.done;")) {
        s.destroy();
        resolve(delays);
      }
      buf = buf.slice(buf.lastIndexOf(";") + 1);
    });
  });
}

const pct = (xs: number[], p: number) => [...xs].sort((a, b) => a - b)[Math.min(xs.length - 1, Math.floor((p / 100) * xs.length))] ?? NaN;

async function main(): Promise<void> {
  const guacd = await startFakeGuacd({ afterReady });

  // Calipso tunnel.
  let tunnel: ReturnType<typeof createTunnelServer> | undefined;
  const server = http.createServer((_req, res) => res.writeHead(404).end());
  await new Promise<void>((r) => server.listen(0, "127.0.0.1", r));
  const calipsoBase = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  const desktop = await instantiate(guacamoleDesktop, { mode: "tunnel", publicUrl: calipsoBase, guacd: { host: guacd.host, port: guacd.port } }, testContext());
  tunnel = createTunnelServer({ desktop });
  tunnel.attach(server);
  const calipsoUrl = async (hostname: string) => {
    const handle = await desktop.register({ instanceId: crypto.randomUUID(), owner: "bench", title: "bench", endpoint: { host: hostname, port: 5901, protocol: "vnc" }, secret: "benchpw1" });
    const { url } = await desktop.access(handle, { username: "bench" });
    const u = new URL(url);
    return `ws://${u.host}${u.pathname}/tunnel?token=${new URLSearchParams(u.hash.slice(1)).get("token")}&GUAC_WIDTH=1024&GUAC_HEIGHT=768`;
  };

  // guacamole-lite on the same fake guacd.
  const KEY = crypto.randomBytes(16).toString("hex"); // 32 characters = the 32-byte AES-256 key guacamole-lite wants
  const litePort = await new Promise<number>((resolve) => {
    const probe = net.createServer().listen(0, "127.0.0.1", () => {
      const p = (probe.address() as AddressInfo).port;
      probe.close(() => resolve(p));
    });
  });
  const lite = new GuacamoleLite({ port: litePort, host: "127.0.0.1" }, { host: guacd.host, port: guacd.port }, { crypt: { cypher: "AES-256-CBC", key: KEY }, log: { level: 0, stdLog: () => {}, errorLog: () => {} }, maxInactivityTime: 0 });
  const liteUrl = (hostname: string) => {
    const iv = crypto.randomBytes(16);
    const c = crypto.createCipheriv("aes-256-cbc", KEY, iv);
    const value = Buffer.concat([c.update(JSON.stringify({ connection: { type: "vnc", settings: { hostname, port: "5901", password: "benchpw1" } } }), "utf8"), c.final()]);
    const token = Buffer.from(JSON.stringify({ iv: iv.toString("base64"), value: value.toString("base64") })).toString("base64");
    return `ws://127.0.0.1:${litePort}/?token=${encodeURIComponent(token)}&width=1024&height=768`;
  };
  await new Promise((r) => setTimeout(r, 200));

  console.log(`load: ${FRAMES} frames × ${PER_FRAME} instructions = ${TOTAL} instructions (${((FRAMES * frame(1).length) / 1e6).toFixed(1)} MB); ${ROUNDS} rounds, alternating`);
  const rate = { calipso: [] as number[], lite: [] as number[] };
  for (let round = 0; round < ROUNDS; round++) {
    for (const [name, url] of [["calipso", await calipsoUrl("load")], ["lite", liteUrl("load")]] as const) {
      const r = await consume(url);
      if (r.instructions < TOTAL) throw new Error(`${name}: got ${r.instructions} of ${TOTAL} instructions`);
      rate[name].push(r.instructions / (r.ms / 1000));
    }
  }
  const lat = { direct: [] as number[], calipso: [] as number[], lite: [] as number[] };
  for (let round = 0; round < ROUNDS; round++) {
    lat.direct.push(...(await direct(guacd.port)));
    lat.calipso.push(...(await consume(await calipsoUrl("probe"))).delays);
    lat.lite.push(...(await consume(liteUrl("probe"))).delays);
  }

  const best = (xs: number[]) => Math.max(...xs);
  const row = (name: string, ips: number, d: number[]) =>
    `${name.padEnd(16)} ${Math.round(ips).toLocaleString("en").padStart(12)} instr/s   latency p50 ${pct(d, 50).toFixed(3)} ms  p99 ${pct(d, 99).toFixed(3)} ms   added p50 ${(pct(d, 50) - pct(lat.direct, 50)).toFixed(3)} ms`;
  console.log(`direct TCP       ${"".padStart(12)}            latency p50 ${pct(lat.direct, 50).toFixed(3)} ms  p99 ${pct(lat.direct, 99).toFixed(3)} ms`);
  console.log(row("calipso tunnel", best(rate.calipso), lat.calipso));
  console.log(row("guacamole-lite", best(rate.lite), lat.lite));
  console.log(`ratio calipso/guacamole-lite: throughput ×${(best(rate.calipso) / best(rate.lite)).toFixed(2)}, added latency p50 ×${((pct(lat.calipso, 50) - pct(lat.direct, 50)) / (pct(lat.lite, 50) - pct(lat.direct, 50))).toFixed(2)}`);

  lite.close();
  await tunnel.close();
  server.closeAllConnections();
  server.close();
  await guacd.close();
  process.exit(0);
}

await main();
