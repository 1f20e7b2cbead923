/** @module Reads Swagger UI's assets from the installed `swagger-ui-dist` package (cached in memory). */
import { readFile } from "node:fs/promises";
import { createRequire } from "node:module";
import { dirname, join } from "node:path";

const ALLOWED = new Set(["swagger-ui.css", "swagger-ui-bundle.js", "favicon-32x32.png"]);

/** The `docsAssets` option of `createApp` for Node. */
export function swaggerUiAssets(): (file: string) => Promise<Uint8Array | null> {
  const dir = dirname(createRequire(import.meta.url).resolve("swagger-ui-dist/package.json"));
  const cache = new Map<string, Promise<Uint8Array | null>>();
  return (file) => {
    if (!ALLOWED.has(file)) return Promise.resolve(null);
    let hit = cache.get(file);
    if (!hit) {
      hit = readFile(join(dir, file)).then((b) => new Uint8Array(b.buffer, b.byteOffset, b.byteLength), () => null);
      cache.set(file, hit);
    }
    return hit;
  };
}
