/** @module Reads a response body with a size cap: the stream is cancelled as soon as the cap is passed. */
import { AppError } from "@calipso/core";

/**
 * The whole body as bytes, or `PROVIDER_ERROR` once more than `maxBytes` arrived (the rest is
 * never read, so memory stays bounded). A declared `Content-Length` above the cap fails at once.
 */
export async function readBounded(response: Response, maxBytes: number, provider: string): Promise<Uint8Array> {
  const tooLarge = () =>
    new AppError("PROVIDER_ERROR", { provider, detail: `The user office sent a response larger than ${maxBytes} bytes`, meta: { maxResponseBytes: maxBytes } });
  const declared = Number(response.headers.get("content-length") ?? Number.NaN);
  if (Number.isFinite(declared) && declared > maxBytes) {
    await response.body?.cancel().catch(() => {});
    throw tooLarge();
  }
  if (!response.body) return new Uint8Array(0);
  const reader = response.body.getReader();
  const chunks: Uint8Array[] = [];
  let size = 0;
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    size += value.byteLength;
    if (size > maxBytes) {
      await reader.cancel().catch(() => {});
      throw tooLarge();
    }
    chunks.push(value);
  }
  const out = new Uint8Array(size);
  let offset = 0;
  for (const c of chunks) {
    out.set(c, offset);
    offset += c.byteLength;
  }
  return out;
}
