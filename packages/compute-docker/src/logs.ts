/** @module Container logs: demultiplexing the engine's stdout/stderr frames, the last lines, a follow stream. */
import { PassThrough } from "node:stream";
import type { Readable } from "node:stream";
import type Docker from "dockerode";

/**
 * Text of a multiplexed log buffer (8-byte frame headers: stream type, 3 zero bytes, big-endian
 * length). A buffer that is not multiplexed (TTY) is returned as it is.
 */
export function demuxBuffer(buffer: Buffer): string {
  const parts: Buffer[] = [];
  let offset = 0;
  while (offset + 8 <= buffer.length) {
    const type = buffer[offset];
    if ((type !== 0 && type !== 1 && type !== 2) || buffer[offset + 1] !== 0 || buffer[offset + 2] !== 0 || buffer[offset + 3] !== 0) {
      return buffer.toString("utf8");
    }
    const size = buffer.readUInt32BE(offset + 4);
    parts.push(buffer.subarray(offset + 8, offset + 8 + size));
    offset += 8 + size;
  }
  if (offset < buffer.length && parts.length === 0) return buffer.toString("utf8");
  return Buffer.concat(parts).toString("utf8");
}

/** The last `lines` non-empty log lines of a container (stdout and stderr), each capped at 300 characters. */
export async function lastLogLines(container: Docker.Container, lines: number): Promise<string[]> {
  if (lines === 0) return [];
  const raw = (await container.logs({ stdout: true, stderr: true, follow: false, tail: lines })) as unknown as Buffer;
  return demuxBuffer(Buffer.isBuffer(raw) ? raw : Buffer.from(String(raw)))
    .split(/\r?\n/)
    .filter((l) => l.trim() !== "")
    .slice(-lines)
    .map((l) => l.slice(0, 300));
}

/** A text stream of the container's stdout and stderr from its start, following until it exits or `signal` aborts. */
export async function followLogs(docker: Docker, container: Docker.Container, signal: AbortSignal): Promise<Readable> {
  const stream = (await container.logs({ stdout: true, stderr: true, follow: true, abortSignal: signal })) as unknown as Readable;
  const out = new PassThrough();
  docker.modem.demuxStream(stream, out, out);
  stream.once("end", () => out.end());
  stream.once("close", () => out.end());
  stream.once("error", (error) => out.destroy(error));
  out.once("close", () => stream.destroy());
  return out;
}
