import { existsSync } from "node:fs";
import { crc32, deflateSync } from "node:zlib";
import { afterAll, beforeAll, describe, expect, it, vi } from "vitest";
import type { Browser } from "playwright-core";
import { encodeInstruction } from "./protocol.ts";
import { registration, startRig } from "./test-support.ts";
import type { TunnelRig } from "./test-support.ts";

// Headless Debian Chromium opens the client page, which connects through our tunnel to a FAKE guacd.
const CHROMIUM = "/usr/bin/chromium";
const hasChromium = existsSync(CHROMIUM);
if (!hasChromium && process.env.CALIPSO_REQUIRE_REAL === "1") throw new Error("CALIPSO_REQUIRE_REAL=1: /usr/bin/chromium is missing (apt-get install -y chromium)");

/** The browser globals the page functions below use (this file is type-checked without the DOM lib). */
interface Page2d {
  drawImage(image: unknown, x: number, y: number): void;
  getImageData(x: number, y: number, w: number, h: number): { data: Uint8ClampedArray };
}
interface BrowserGlobals {
  calipsoDesktop?: { state: string; clipboard?: string };
  createImageBitmap(blob: Blob): Promise<{ width: number; height: number }>;
  OffscreenCanvas: new (w: number, h: number) => { getContext(kind: "2d"): Page2d | null };
}

const RED = [255, 0, 0];
const BLUE = [0, 0, 255];
const GREEN = [0, 200, 0];

/** A solid-colour RGB PNG (signature, IHDR, one IDAT, IEND), built here so the test knows every pixel. */
function solidPng(width: number, height: number, [r, g, b]: number[]): Buffer {
  const chunk = (type: string, data: Buffer) => {
    const body = Buffer.concat([Buffer.from(type, "latin1"), data]);
    const out = Buffer.alloc(12 + data.length);
    out.writeUInt32BE(data.length, 0);
    body.copy(out, 4);
    out.writeUInt32BE(crc32(body), 8 + data.length);
    return out;
  };
  const ihdr = Buffer.alloc(13);
  ihdr.writeUInt32BE(width, 0);
  ihdr.writeUInt32BE(height, 4);
  ihdr.set([8, 2, 0, 0, 0], 8); // 8-bit RGB, no interlace
  const row = Buffer.concat([Buffer.from([0]), Buffer.from(Array.from({ length: width }, () => [r!, g!, b!]).flat())]);
  const raw = Buffer.concat(Array.from({ length: height }, () => row));
  return Buffer.concat([Buffer.from([137, 80, 78, 71, 13, 10, 26, 10]), chunk("IHDR", ihdr), chunk("IDAT", deflateSync(raw)), chunk("IEND", Buffer.alloc(0))]);
}

describe.skipIf(!hasChromium)(`client page in headless Chromium${hasChromium ? "" : " (skipped: /usr/bin/chromium missing)"}`, () => {
  let browser: Browser;
  let rig: TunnelRig;

  beforeAll(async () => {
    const { chromium } = await import("playwright-core");
    browser = await chromium.launch({
      executablePath: CHROMIUM,
      args: ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update", "--disable-sync", "--no-first-run"],
    });
    rig = await startRig({
      guacd: {
        // What the fake draws: a red and a blue 200×150 rectangle and a green 50×50 PNG (img/blob/end)
        // on the default layer, then a clipboard text.
        afterReady: async (c) => {
          const [w, h] = c.handshakeArgs.size ?? ["640", "480"];
          await c.send(
            encodeInstruction("size", 0, w!, h!) +
              encodeInstruction("rect", 0, 0, 0, 200, 150) +
              encodeInstruction("cfill", 14, 0, ...RED, 255) +
              encodeInstruction("rect", 0, 200, 0, 200, 150) +
              encodeInstruction("cfill", 14, 0, ...BLUE, 255) +
              encodeInstruction("img", 3, 14, 0, "image/png", 400, 200) +
              encodeInstruction("blob", 3, solidPng(50, 50, GREEN).toString("base64")) +
              encodeInstruction("end", 3) +
              encodeInstruction("clipboard", 5, "text/plain") +
              encodeInstruction("blob", 5, Buffer.from("héllo 😀").toString("base64")) +
              encodeInstruction("end", 5) +
              encodeInstruction("sync", 1000, 1),
          );
        },
      },
    });
  }, 60_000);

  afterAll(async () => {
    await browser?.close();
    await rig?.close();
  });

  it("[page-01] connects through the tunnel, draws what guacd sends (pixels of a screenshot), resizes, and carries the clipboard both ways", async () => {
    const handle = await rig.desktop.register(registration());
    const access = await rig.desktop.access(handle, { username: "alice" });
    const page = await browser.newPage({ viewport: { width: 640, height: 480 } });
    const errors: string[] = [];
    page.on("pageerror", (e) => errors.push(e.message));
    page.on("console", (m) => {
      if (m.type() === "error") errors.push(`console: ${m.text()}`);
    });
    await page.goto(access.url);
    await page.waitForFunction(() => (globalThis as unknown as BrowserGlobals).calipsoDesktop?.state === "connected", null, { timeout: 15_000 });
    // The token left the address bar.
    expect(page.url()).not.toContain("token");
    const conn = rig.guacd.connections.at(-1)!;
    expect(conn.handshakeArgs.size?.slice(0, 2)).toEqual(["640", "480"]);
    // The browser acknowledged the frame (`sync`), so it has been drawn.
    await vi.waitFor(() => expect(conn.received.some((i) => i[0] === "sync")).toBe(true), { timeout: 10_000 });

    const shot = (await page.screenshot({ type: "png" })).toString("base64");
    const pixels = await page.evaluate(async (b64) => {
      const bytes = Uint8Array.from(atob(b64), (c) => c.charCodeAt(0));
      const b = globalThis as unknown as BrowserGlobals;
      const bitmap = await b.createImageBitmap(new Blob([bytes], { type: "image/png" }));
      const canvas = new b.OffscreenCanvas(bitmap.width, bitmap.height);
      const g = canvas.getContext("2d")!;
      g.drawImage(bitmap, 0, 0);
      const at = (x: number, y: number) => Array.from(g.getImageData(x, y, 1, 1).data.slice(0, 3));
      return { size: [bitmap.width, bitmap.height], red: at(100, 75), blue: at(300, 75), green: at(425, 225), outside: at(500, 300) };
    }, shot);
    expect(pixels.size).toEqual([640, 480]);
    expect(pixels.red).toEqual(RED);
    expect(pixels.blue).toEqual(BLUE);
    expect(pixels.green).toEqual(GREEN);
    expect(pixels.outside).not.toEqual(RED);

    // Clipboard from the desktop reaches the page.
    await page.waitForFunction(() => (globalThis as unknown as BrowserGlobals).calipsoDesktop?.clipboard === "héllo 😀");

    // Pasting into the page sends the text to the desktop as a clipboard stream (UTF-8, astral plane intact).
    await page.evaluate(() => {
      const g = globalThis as unknown as { DataTransfer: new () => { setData(t: string, v: string): void }; ClipboardEvent: new (t: string, i: object) => object; dispatchEvent(e: object): void };
      const data = new g.DataTransfer();
      data.setData("text/plain", "pasté 😀");
      g.dispatchEvent(new g.ClipboardEvent("paste", { clipboardData: data }));
    });
    await vi.waitFor(() => expect(conn.received.some((i) => i[0] === "end")).toBe(true), { timeout: 10_000 });
    const open = conn.received.find((i) => i[0] === "clipboard")!;
    expect(open.slice(2)).toEqual(["text/plain"]);
    const sent = conn.received.filter((i) => i[0] === "blob" && i[1] === open[1]).map((i) => Buffer.from(i[2]!, "base64"));
    expect(Buffer.concat(sent).toString("utf8")).toBe("pasté 😀");

    // Resizing the window asks guacd for the new size.
    await page.setViewportSize({ width: 800, height: 600 });
    await vi.waitFor(() => expect(conn.received).toContainEqual(["size", "800", "600"]), { timeout: 10_000 });

    // Input is forwarded (and recorded as activity).
    await page.mouse.move(50, 50);
    await vi.waitFor(() => expect(conn.received.some((i) => i[0] === "mouse")).toBe(true), { timeout: 10_000 });
    expect(await rig.desktop.lastActivity!(handle)).toBeInstanceOf(Date);
    expect(errors).toEqual([]);
    await page.close();
  }, 60_000);
});
