/**
 * @module Guacamole protocol basics: instruction encoding with lengths in Unicode code points,
 * the status codes the tunnel uses, and WebSocket close reasons that guacamole-common-js reads.
 */

const SURROGATE = /[\uD800-\uDFFF]/;

/** Number of Unicode code points of a string (what the Guacamole protocol's lengths count). */
export function codePointLength(value: string): number {
  if (!SURROGATE.test(value)) return value.length;
  let n = 0;
  for (let i = 0; i < value.length; i++) {
    const c = value.charCodeAt(i);
    if (c >= 0xd800 && c <= 0xdbff && i + 1 < value.length) {
      const d = value.charCodeAt(i + 1);
      if (d >= 0xdc00 && d <= 0xdfff) i++;
    }
    n++;
  }
  return n;
}

/**
 * Encodes one instruction: `LEN.VALUE,LEN.VALUE,…;` with LEN in code points.
 *
 * @example
 * encodeInstruction("size", 0, 1024, 768); // "4.size,1.0,4.1024,3.768;"
 */
export function encodeInstruction(opcode: string, ...args: readonly (string | number)[]): string {
  let out = `${codePointLength(opcode)}.${opcode}`;
  for (const arg of args) {
    const s = String(arg);
    out += `,${codePointLength(s)}.${s}`;
  }
  return `${out};`;
}

/** Guacamole status codes used by the tunnel (decimal; the protocol reference lists them in hex). */
export const GUAC_STATUS = {
  SUCCESS: 0,
  SERVER_ERROR: 0x200,
  UPSTREAM_TIMEOUT: 0x202,
  UPSTREAM_ERROR: 0x203,
  RESOURCE_NOT_FOUND: 0x204,
  RESOURCE_CLOSED: 0x206,
  UPSTREAM_NOT_FOUND: 0x207,
  UPSTREAM_UNAVAILABLE: 0x208,
  SESSION_CLOSED: 0x20b,
  CLIENT_BAD_REQUEST: 0x300,
  CLIENT_UNAUTHORIZED: 0x301,
  CLIENT_FORBIDDEN: 0x303,
  CLIENT_OVERRUN: 0x30d,
} as const;

/** Human names of the status codes guacd sends in `error` instructions. */
const STATUS_NAMES: Record<number, string> = {
  0x100: "unsupported",
  0x200: "server error",
  0x201: "server busy",
  0x202: "upstream timeout",
  0x203: "upstream error",
  0x204: "resource not found",
  0x205: "resource conflict",
  0x206: "resource closed",
  0x207: "upstream not found",
  0x208: "upstream unavailable",
  0x209: "session conflict",
  0x20a: "session timeout",
  0x20b: "session closed",
  0x300: "bad request",
  0x301: "unauthorized",
  0x303: "forbidden",
  0x308: "client timeout",
  0x30d: "client overrun",
  0x30f: "bad type",
  0x31d: "too many connections",
};

/** The name of a Guacamole status code, e.g. 519 → "upstream not found". */
export function statusName(code: number): string {
  return STATUS_NAMES[code] ?? "error";
}

/** The WebSocket close code for a Guacamole status (as Guacamole's own tunnel maps them). */
export function webSocketCode(status: number): number {
  if (status === 0) return 1000;
  if (status === 0x301 || status === 0x303 || status === 0x201 || status === 0x205 || status === 0x209 || status === 0x31d) return 1008;
  if (status === 0x30d) return 1009;
  if (status === 0x204 || status === 0x206 || status === 0x20a || status === 0x20b) return 1002;
  if (status >= 0x300) return 1002;
  return 1011;
}

/**
 * A WebSocket close reason: starts with the decimal status (guacamole-common-js reads it with
 * `parseInt`), then words; cut to the 123-byte limit of close frames.
 */
export function closeReason(status: number, message: string): string {
  let reason = `${status} ${statusName(status)}: ${message}`.replace(/[\r\n]+/g, " ");
  const enc = new TextEncoder();
  while (enc.encode(reason).length > 123) reason = [...reason].slice(0, -1).join("");
  return reason;
}
