/**
 * @module The interactive API documentation at `/api/docs` (Swagger UI). Its assets are served by
 * this app from `swagger-ui-dist` through the host's asset reader: no CDN, works offline.
 */
import { AppError } from "@calipso/core";
import type { RouteDeps } from "../deps.ts";

const ASSETS: Readonly<Record<string, string>> = {
  "swagger-ui.css": "text/css; charset=utf-8",
  "swagger-ui-bundle.js": "text/javascript; charset=utf-8",
  "favicon-32x32.png": "image/png",
};

const CSP = "default-src 'self'; img-src 'self' data:; style-src 'self' 'unsafe-inline'; script-src 'self'; connect-src 'self'; frame-ancestors 'none'; base-uri 'none'; form-action 'self'";

const HTML = `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>Calipso API</title>
<link rel="stylesheet" href="docs/swagger-ui.css">
<link rel="icon" type="image/png" href="docs/favicon-32x32.png">
</head>
<body>
<div id="swagger-ui"></div>
<script src="docs/swagger-ui-bundle.js"></script>
<script src="docs/init.js"></script>
</body>
</html>
`;

// Remembers the CSRF token from login / me responses and sends it on unsafe requests.
const INIT = `"use strict";
(function () {
  var csrf = null;
  var api = new URL("./", location.href);
  fetch(new URL("v1/auth/me", api), { credentials: "same-origin" })
    .then(function (r) { return r.ok ? r.json() : null; })
    .then(function (b) { if (b && b.csrfToken) csrf = b.csrfToken; })
    .catch(function () {});
  window.ui = SwaggerUIBundle({
    url: new URL("openapi.json", api).href,
    dom_id: "#swagger-ui",
    presets: [SwaggerUIBundle.presets.apis],
    layout: "BaseLayout",
    deepLinking: true,
    validatorUrl: null,
    withCredentials: true,
    requestInterceptor: function (req) {
      if (csrf && req.method && !/^(GET|HEAD|OPTIONS)$/i.test(req.method)) req.headers["X-CSRF-Token"] = csrf;
      return req;
    },
    responseInterceptor: function (res) {
      if (res && res.body && typeof res.body.csrfToken === "string") csrf = res.body.csrfToken;
      return res;
    }
  });
})();
`;

export function docsRoutes(d: RouteDeps): void {
  const headers = { "content-security-policy": CSP, "x-content-type-options": "nosniff", "cache-control": "no-cache" };
  d.app.get("/api/docs", (c) => {
    if (!d.options.docsAssets) throw new AppError("NOT_FOUND", { detail: "The documentation UI is not enabled on this server" });
    return c.html(HTML, 200, headers);
  });
  d.app.get("/api/docs/init.js", (c) => c.body(INIT, 200, { ...headers, "content-type": "text/javascript; charset=utf-8" }));
  d.app.get("/api/docs/:file", async (c) => {
    const file = c.req.param("file");
    const type = ASSETS[file];
    const content = type && d.options.docsAssets ? await d.options.docsAssets(file) : null;
    if (!type || content === null) throw new AppError("NOT_FOUND", { detail: "No such documentation asset" });
    return c.body(content as never, 200, { ...headers, "content-type": type, "cache-control": "public, max-age=86400" });
  });
}
