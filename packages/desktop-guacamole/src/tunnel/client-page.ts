/**
 * @module The tunnel's browser side: a page that opens the desktop full-window (resize,
 * mouse, keyboard, clipboard) with `guacamole-common-js`, served locally (no CDN).
 * The access token travels in the URL fragment, which browsers never send to a server; the
 * page removes it from the address bar and hands it to the WebSocket once.
 */
import { readFileSync } from "node:fs";
import { createRequire } from "node:module";
import path from "node:path";

/** One static file of the page. */
export interface TunnelAsset {
  readonly contentType: string;
  readonly body: string;
}

const escape = (s: string) => s.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);

/** The page's HTML. It loads `./_assets/*` relative to `{path}/`, so it works under any mount path. */
export function clientPageHtml(options: { title?: string } = {}): string {
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="referrer" content="no-referrer">
<link rel="icon" href="data:,">
<title>${escape(options.title ?? "Desktop")}</title>
<link rel="stylesheet" href="./_assets/calipso-desktop.css">
<script type="module" src="./_assets/calipso-desktop.js"></script>
</head>
<body>
<div id="display" tabindex="0"></div>
<div id="status" role="status" aria-live="polite">Connecting…</div>
</body>
</html>
`;
}

const CSS = `html, body { margin: 0; height: 100%; overflow: hidden; background: #000; }
#display { position: absolute; inset: 0; z-index: 0; outline: none; } /* own stacking context: Guacamole layers use z-index -1 */
#status { position: absolute; left: 50%; top: 1rem; transform: translateX(-50%); padding: .4rem .8rem;
  font: 14px system-ui, sans-serif; color: #fff; background: rgba(40, 40, 40, .85); border-radius: 4px; }
#status[hidden] { display: none; }
`;

const CLIENT = `import Guacamole from "./guacamole-common.js";

const status = document.getElementById("status");
const show = (text) => { status.textContent = text; status.hidden = !text; };
const params = new URLSearchParams(location.hash.slice(1));
const token = params.get("token") || "";
history.replaceState(null, "", location.pathname + location.search);

const tunnel = new Guacamole.WebSocketTunnel(location.pathname.replace(/\\/$/, "") + "/tunnel");
const client = new Guacamole.Client(tunnel);
const host = document.getElementById("display");
const display = client.getDisplay();
host.appendChild(display.getElement());
window.calipsoDesktop = { client, state: "connecting" };

client.onstatechange = (state) => {
  if (state === 3) { show(""); window.calipsoDesktop.state = "connected"; }
  if (state === 5) { window.calipsoDesktop.state = "disconnected"; if (!status.dataset.error) show("Disconnected"); }
};
const onError = (s) => { status.dataset.error = "1"; window.calipsoDesktop.error = s.message || String(s.code); show("Error: " + (s.message || s.code)); };
client.onerror = onError;
tunnel.onerror = onError;

const mouse = new Guacamole.Mouse(display.getElement());
mouse.onEach(["mousedown", "mouseup", "mousemove"], (e) => client.sendMouseState(e.state, true));
const keyboard = new Guacamole.Keyboard(host);
keyboard.onkeydown = (keysym) => { client.sendKeyEvent(1, keysym); };
keyboard.onkeyup = (keysym) => client.sendKeyEvent(0, keysym);
host.focus();

// Clipboard: remote → local when the desktop copies; local → remote on paste and on focus.
// UTF-8 is decoded and encoded here (TextDecoder/TextEncoder) so astral-plane characters survive.
client.onclipboard = (stream, mimetype) => {
  if (!/^text\\//.test(mimetype)) return;
  const reader = new Guacamole.ArrayBufferReader(stream);
  const parts = [];
  reader.ondata = (buffer) => parts.push(new Uint8Array(buffer));
  reader.onend = () => {
    const bytes = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
    let at = 0;
    for (const p of parts) { bytes.set(p, at); at += p.length; }
    const text = new TextDecoder().decode(bytes);
    window.calipsoDesktop.clipboard = text;
    navigator.clipboard?.writeText(text).catch(() => {});
  };
};
const sendClipboard = (text) => {
  if (!text) return;
  const writer = new Guacamole.ArrayBufferWriter(client.createClipboardStream("text/plain"));
  writer.sendData(new TextEncoder().encode(text).buffer);
  writer.sendEnd();
};
window.addEventListener("paste", (e) => sendClipboard(e.clipboardData?.getData("text/plain")));
window.addEventListener("focus", () => navigator.clipboard?.readText().then(sendClipboard, () => {}));

// Full window: follow the browser window's size.
const size = () => [Math.max(1, window.innerWidth), Math.max(1, window.innerHeight)];
let resizeTimer = 0;
window.addEventListener("resize", () => {
  clearTimeout(resizeTimer);
  resizeTimer = setTimeout(() => client.sendSize(...size()), 150);
});
window.addEventListener("pagehide", () => client.disconnect());

const [w, h] = size();
const q = new URLSearchParams({ token, GUAC_WIDTH: String(w), GUAC_HEIGHT: String(h), GUAC_DPI: String(Math.round(96 * (window.devicePixelRatio || 1))) });
for (const m of ["image/png", "image/jpeg", "image/webp"]) q.append("GUAC_IMAGE", m);
try { q.set("GUAC_TIMEZONE", Intl.DateTimeFormat().resolvedOptions().timeZone); } catch {}
if (!token) show("This link has no access token: open the desktop again from Calipso.");
else client.connect(q.toString());
`;

let cached: Record<string, TunnelAsset> | undefined;

/** Path of `guacamole-common-js`'s ES module build in node_modules. */
export function guacamoleCommonJsPath(): string {
  const require = createRequire(import.meta.url);
  const cjs = require.resolve("guacamole-common-js");
  return path.join(path.dirname(cjs), "..", "esm", "guacamole-common.js");
}

/** The page's static files by name (served under `{path}/_assets/`), read once from node_modules. */
export function tunnelAssets(): Readonly<Record<string, TunnelAsset>> {
  cached ??= {
    "guacamole-common.js": { contentType: "text/javascript; charset=utf-8", body: readFileSync(guacamoleCommonJsPath(), "utf8") },
    "calipso-desktop.js": { contentType: "text/javascript; charset=utf-8", body: CLIENT },
    "calipso-desktop.css": { contentType: "text/css; charset=utf-8", body: CSS },
  };
  return cached;
}
