import { afterEach, describe, expect, it, vi } from "vitest";
import { AppError } from "@calipso/core";
import { encodeInstruction } from "./protocol.ts";
import { connectClient, registration, startRig, tunnelUrl } from "./test-support.ts";
import type { TunnelRig } from "./test-support.ts";

// Every test here talks to a FAKE guacd (src/testing/fake-guacd.ts) that replays a real guacd 1.6.0 handshake.
const rigs: TunnelRig[] = [];
const WAIT = { timeout: 10_000 };
const rig = async (options?: Parameters<typeof startRig>[0]) => {
  const r = await startRig(options);
  rigs.push(r);
  return r;
};
afterEach(async () => {
  await Promise.all(rigs.splice(0).map((r) => r.close()));
});

async function open(r: TunnelRig, user = "alice", over = {}) {
  const handle = await r.desktop.register(registration(over));
  const access = await r.desktop.access(handle, { username: user });
  return { handle, access, client: connectClient(tunnelUrl(access.url)) };
}

describe("tunnel mode against a fake guacd", () => {
  it("[tunnel-01] runs the handshake in order: select → args → size/audio/video/image/timezone → connect → ready", async () => {
    const r = await rig();
    const { client } = await open(r);
    await client.waitFor("sync");
    const conn = r.guacd.connections[0]!;
    expect(conn.handshake).toEqual(["select", "size", "audio", "video", "image", "timezone", "connect"]);
    expect(conn.select).toBe("vnc");
    expect(conn.handshakeArgs.size).toEqual(["800", "600", "96"]);
    expect(conn.handshakeArgs.image).toEqual(["image/png", "image/jpeg"]);
    expect(conn.handshakeArgs.timezone).toEqual(["Europe/Madrid"]);
    expect(conn.connect).toMatchObject({ VERSION: "VERSION_1_5_0", hostname: "10.9.8.7", port: "5901", password: "vncpass1", "read-only": "" });
    // The browser first gets the tunnel id (internal opcode ""), then guacd's drawing; never `args`/`ready`.
    expect(client.instructions[0]?.[0]).toBe("");
    expect(client.instructions.map((i) => i[0])).toEqual(["", "size", "size", "rect", "cfill", "sync"]);
    client.ws.close();
  });

  it("[tunnel-02] keeps lengths in code points for non-ASCII and astral-plane values, both ways", async () => {
    const r = await rig({
      guacd: {
        afterReady: (c) => c.send(encodeInstruction("name", "Bureau de Zoé 😀") + encodeInstruction("sync", 1, 1)),
      },
    });
    const { client } = await open(r);
    expect(await client.waitFor("name")).toEqual(["Bureau de Zoé 😀"]);
    expect(client.messages.join("")).toContain("4.name,15.Bureau de Zoé 😀;");
    client.send(encodeInstruction("argv", 1, "text/plain", "é😀x"));
    await vi.waitFor(() => expect(r.guacd.connections[0]!.received).toContainEqual(["argv", "1", "text/plain", "é😀x"]), WAIT);
    client.ws.close();
  });

  it("[tunnel-03] survives guacd output split into 1–3 byte TCP frames (also inside UTF-8 sequences)", async () => {
    const r = await rig({
      guacd: {
        chunking: "split",
        afterReady: (c) => c.send(encodeInstruction("size", 0, 64, 48) + encodeInstruction("name", "é😀") + encodeInstruction("sync", 5, 1)),
      },
    });
    const { client } = await open(r);
    expect(await client.waitFor("name")).toEqual(["é😀"]);
    await client.waitFor("sync");
    expect(client.instructions.filter((i) => i[0] === "<partial instruction in one message>")).toEqual([]);
    client.ws.close();
  });

  it("[tunnel-04] forwards coalesced frames whole: 500 instructions in one write, each message whole instructions", async () => {
    const body = Array.from({ length: 500 }, (_, i) => encodeInstruction("rect", 0, i, i, 1, 1)).join("") + encodeInstruction("sync", 9, 1);
    const r = await rig({ guacd: { afterReady: (c) => c.send(encodeInstruction("ready-extra", "x") + body) } });
    const { client } = await open(r);
    await client.waitFor("sync");
    expect(client.instructions.filter((i) => i[0] === "rect")).toHaveLength(500);
    expect(client.instructions.filter((i) => i[0] === "<partial instruction in one message>")).toEqual([]);
    expect(client.messages.length).toBeLessThan(50); // coalesced, not one message per instruction
    client.ws.close();
  });

  it("[tunnel-05] a guacd that closes gives a clear close reason (during the handshake and after ready)", async () => {
    const r1 = await rig({ guacd: { closeAfterArgs: true } });
    const c1 = (await open(r1)).client;
    const closed1 = await c1.closed;
    expect(closed1.code).toBe(1011);
    expect(closed1.reason).toMatch(/^520 upstream unavailable: guacd closed the connection/);

    const r2 = await rig({ guacd: { afterReady: (c) => c.end() } });
    const c2 = (await open(r2)).client;
    const closed2 = await c2.closed;
    expect(closed2.reason).toMatch(/^518 resource closed: guacd closed the connection/);
  });

  it("[tunnel-06] guacd's `error \"Aborted. See logs.\" \"519\"` (wrong VNC password) becomes the close reason", async () => {
    const r = await rig({ guacd: { password: "the-right-one" } });
    const { client } = await open(r);
    const closed = await client.closed;
    expect(closed).toEqual({ code: 1011, reason: "519 upstream not found: guacd: Aborted. See logs." });
    expect(client.instructions).toContainEqual(["error", "Aborted. See logs.", "519"]);
  });

  it("[tunnel-07] refuses reused, forged, expired and missing tokens", async () => {
    let offset = 0;
    const r = await rig({ ctx: { now: () => new Date(Date.now() + offset) }, tokenTtlSeconds: 5 });
    const handle = await r.desktop.register(registration());
    const access = await r.desktop.access(handle, { username: "alice" });
    const first = connectClient(tunnelUrl(access.url));
    await first.waitFor("sync");
    const reused = await connectClient(tunnelUrl(access.url)).closed;
    expect(reused.code).toBe(1008);
    expect(reused.reason).toMatch(/^769 unauthorized: Access token is invalid, used or expired/);
    const forgedUrl = tunnelUrl(access.url, { token: "a".repeat(32) });
    expect((await connectClient(forgedUrl).closed).reason).toMatch(/^769 /);
    expect((await connectClient(tunnelUrl(access.url, { token: "" })).closed).reason).toMatch(/^769 /);
    const late = await r.desktop.access(handle, { username: "alice" });
    offset = 6_000;
    expect((await connectClient(tunnelUrl(late.url)).closed).reason).toMatch(/^769 /);
    expect(r.guacd.connections).toHaveLength(1); // refused tunnels never reach guacd
    first.ws.close();
  });

  it("[tunnel-08] a token of user A cannot open user B's desktop", async () => {
    const r = await rig({ identify: (req) => (req.headers["x-test-user"] as string | undefined) ?? undefined });
    const a = await r.desktop.register(registration({ owner: "alice" }));
    const b = await r.desktop.register(registration({ owner: "bob" }));
    const tokenOfA = await r.desktop.access(a, { username: "alice" });
    // A's token presented at B's desktop.
    const atB = tunnelUrl(tokenOfA.url).replace(encodeURIComponent(a.id), encodeURIComponent(b.id));
    const wrongDesktop = await connectClient(atB, { "x-test-user": "alice" }).closed;
    expect(wrongDesktop).toMatchObject({ code: 1008 });
    expect(wrongDesktop.reason).toMatch(/^771 forbidden/);
    // A's token replayed by B (the host's session says bob).
    const tokenOfA2 = await r.desktop.access(a, { username: "alice" });
    expect((await connectClient(tunnelUrl(tokenOfA2.url), { "x-test-user": "bob" }).closed).reason).toMatch(/^771 forbidden/);
    expect(r.guacd.connections).toHaveLength(0);
  });

  it("[tunnel-09] 50 concurrent tunnels", async () => {
    const r = await rig();
    const clients = await Promise.all(Array.from({ length: 50 }, () => open(r)));
    await Promise.all(clients.map((c) => c.client.waitFor("sync")));
    expect(r.guacd.connections).toHaveLength(50);
    expect(r.tunnel.sessions).toBe(50);
    expect(new Set(r.guacd.connections.map((c) => c.connect?.hostname))).toEqual(new Set(["10.9.8.7"]));
    clients.forEach((c) => c.client.ws.close());
    await Promise.all(clients.map((c) => c.client.closed));
    await vi.waitFor(() => expect(r.tunnel.sessions).toBe(0), WAIT);
  }, 30_000);

  it("[tunnel-10] records the last keyboard/mouse input per desktop; pings and syncs don't count and pings stay in the tunnel", async () => {
    const r = await rig();
    const { handle, client } = await open(r);
    await client.waitFor("sync");
    expect(await r.desktop.lastActivity!(handle)).toBeNull();
    client.send(encodeInstruction("", "ping", 123) + encodeInstruction("sync", 1));
    expect(await client.waitFor("")).toBeDefined();
    await vi.waitFor(() => expect(r.guacd.connections[0]!.received).toContainEqual(["sync", "1"]), WAIT);
    expect(await r.desktop.lastActivity!(handle)).toBeNull();
    expect(r.guacd.connections[0]!.received.some((i) => i[0] === "")).toBe(false);
    client.send(encodeInstruction("key", 65, 1) + encodeInstruction("mouse", 10, 10, 1));
    await vi.waitFor(() => expect(r.guacd.connections[0]!.received).toContainEqual(["mouse", "10", "10", "1"]), WAIT);
    expect(await r.desktop.lastActivity!(handle)).toBeInstanceOf(Date);
    client.ws.close();
  });

  it("[tunnel-11] read-only join for another member: joins the owner's guacd connection with read-only=true and drops input", async () => {
    const r = await rig();
    const { handle, client: owner } = await open(r, "alice");
    await owner.waitFor("sync");
    const view = await r.desktop.access(handle, { username: "bob", readOnly: true });
    const viewer = connectClient(tunnelUrl(view.url));
    await viewer.waitFor("sync");
    const joined = r.guacd.connections[1]!;
    expect(joined.select).toBe(r.guacd.connections[0]!.id);
    expect(joined.connect?.["read-only"]).toBe("true");
    expect(joined.connect?.password).toBe(""); // a join carries no credentials
    viewer.send(encodeInstruction("key", 65, 1) + encodeInstruction("mouse", 1, 1, 1) + encodeInstruction("clipboard", 0, "text/plain") + encodeInstruction("sync", 7));
    await vi.waitFor(() => expect(joined.received).toContainEqual(["sync", "7"]), WAIT);
    expect(joined.received.map((i) => i[0])).toEqual(["sync"]);
    expect(await r.desktop.lastActivity!(handle)).toBeNull();
    owner.ws.close();
    viewer.ws.close();
  });

  it("[tunnel-13] a read-only viewer without a live owner session gets its own connection with read-only=true", async () => {
    const r = await rig();
    const handle = await r.desktop.register(registration());
    const view = await r.desktop.access(handle, { username: "bob", readOnly: true });
    const viewer = connectClient(tunnelUrl(view.url));
    await viewer.waitFor("sync");
    expect(r.guacd.connections[0]!.select).toBe("vnc");
    expect(r.guacd.connections[0]!.connect).toMatchObject({ "read-only": "true", password: "vncpass1" });
    viewer.ws.close();
  });

  it("[tunnel-14] createTunnelServer refuses a desktop that is not in tunnel mode", async () => {
    const { instantiate } = await import("@calipso/core");
    const { testContext } = await import("@calipso/core/testing");
    const { guacamoleDesktop } = await import("../provider.ts");
    const { createTunnelServer } = await import("./server.ts");
    const json = await instantiate(guacamoleDesktop, { mode: "json", guacamoleUrl: "https://g.example.org", secretKey: "0".repeat(32) }, testContext());
    expect(() => createTunnelServer({ desktop: json })).toThrow(expect.objectContaining({ code: "INVALID_CONFIG" }));
  });

  it("[tunnel-12] serves the client page (no-store, no-referrer, strict CSP) and guacamole-common-js locally", async () => {
    const r = await rig();
    const handle = await r.desktop.register(registration());
    const access = await r.desktop.access(handle, { username: "alice" });
    const page = await fetch(access.url.split("#")[0]!);
    expect(page.status).toBe(200);
    expect(page.headers.get("cache-control")).toBe("no-store");
    expect(page.headers.get("referrer-policy")).toBe("no-referrer");
    expect(page.headers.get("content-security-policy")).toContain("script-src 'self'");
    expect(await page.text()).toContain("./_assets/calipso-desktop.js");
    const lib = await fetch(`${r.base}/desktop/_assets/guacamole-common.js`);
    expect(lib.status).toBe(200);
    expect(await lib.text()).toContain("Guacamole.WebSocketTunnel");
    expect((await fetch(`${r.base}/desktop/_assets/nope.js`)).status).toBe(404);
  });
});

describe("seed holes in tunnel mode", () => {
  it("[S5] release closes live tunnels and kills outstanding tokens; access afterwards is NOT_FOUND", async () => {
    const r = await rig();
    const { handle, client } = await open(r);
    await client.waitFor("sync");
    const pending = await r.desktop.access(handle, { username: "alice" });
    await r.desktop.release(handle);
    expect(await client.closed).toEqual({ code: 1002, reason: "523 session closed: the desktop was released" });
    expect((await connectClient(tunnelUrl(pending.url)).closed).reason).toMatch(/^769 /);
    await expect(r.desktop.access(handle, { username: "alice" })).rejects.toSatisfy((e) => AppError.is(e, "NOT_FOUND"));
    // Every desktop has its own secret: guacd got exactly what was registered, not a shared constant.
    const other = await open(r, "alice", { secret: "other123" });
    await other.client.waitFor("sync");
    expect(r.guacd.connections.at(-1)!.connect?.password).toBe("other123");
    other.client.ws.close();
  });

  it("[S6] the access URL carries the single-use token only in the fragment, never a secret; the handle keeps the secret encrypted", async () => {
    const r = await rig();
    const reg = registration({ secret: "Sup3rSecretVNC" });
    const handle = await r.desktop.register(reg);
    expect(JSON.stringify(handle)).not.toContain(reg.secret);
    const { url } = await r.desktop.access(handle, { username: "alice" });
    expect(url).not.toContain(reg.secret);
    const parsed = new URL(url);
    expect(parsed.search).toBe("");
    expect(parsed.hash).toMatch(/^#token=[a-z2-7]{32}$/);
  });
});
