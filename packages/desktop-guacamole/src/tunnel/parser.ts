/**
 * @module Streaming parser of Guacamole instructions: counts element lengths in Unicode code
 * points, keeps incomplete input across chunks (split frames), returns every complete
 * instruction of a chunk (coalesced frames) together with its raw text.
 */
import { AppError } from "@calipso/core";

/** One parsed instruction and its exact text on the wire. */
export interface Instruction {
  readonly opcode: string;
  readonly args: readonly string[];
  readonly raw: string;
}

/** What one `push` yields: the complete instructions and their text, concatenated. */
export interface ParseResult {
  readonly instructions: readonly Instruction[];
  readonly complete: string;
}

const SURROGATE = /[\uD800-\uDFFF]/;
const INCOMPLETE = -1;

/** A protocol violation: the peer sent something that is not a Guacamole instruction. */
export class ProtocolViolation extends AppError {
  constructor(detail: string) {
    super("PROVIDER_ERROR", { detail: `Guacamole protocol violation: ${detail}`, provider: "guacamole" });
  }
}

/**
 * Incremental parser. Feed decoded text (use a `StringDecoder` on byte streams so a UTF-8
 * sequence split across TCP frames is never cut); it throws {@link ProtocolViolation} on
 * malformed input and when more than `maxPending` characters wait without a complete instruction.
 */
export class InstructionParser {
  private pending = "";
  private readonly maxPending: number;

  constructor(options: { maxPending?: number } = {}) {
    this.maxPending = options.maxPending ?? 8 * 1024 * 1024;
  }

  /** Characters received but not yet part of a complete instruction. */
  get buffered(): number {
    return this.pending.length;
  }

  /** Parses what is complete and keeps the rest. */
  push(text: string): ParseResult {
    const buf = this.pending.length === 0 ? text : this.pending + text;
    const instructions: Instruction[] = [];
    let start = 0;
    for (;;) {
      const elements: string[] = [];
      const end = parseOne(buf, start, elements);
      if (end === INCOMPLETE) break;
      instructions.push({ opcode: elements[0]!, args: elements.slice(1), raw: buf.slice(start, end) });
      start = end;
    }
    this.pending = start === 0 ? buf : buf.slice(start);
    if (this.pending.length > this.maxPending) throw new ProtocolViolation(`instruction longer than ${this.maxPending} characters`);
    return { instructions, complete: start === 0 ? "" : buf.slice(0, start) };
  }
}

/** Parses one instruction at `pos`; returns the index after its `;`, or INCOMPLETE. */
function parseOne(buf: string, pos: number, elements: string[]): number {
  let i = pos;
  for (;;) {
    let len = 0;
    let digits = 0;
    for (;;) {
      if (i >= buf.length) return INCOMPLETE;
      const c = buf.charCodeAt(i);
      if (c === 46 /* . */) break;
      if (c < 48 || c > 57 || digits >= 9) throw new ProtocolViolation("bad element length");
      len = len * 10 + (c - 48);
      digits++;
      i++;
    }
    if (digits === 0) throw new ProtocolViolation("missing element length");
    const valueStart = i + 1;
    let valueEnd = valueStart + len;
    if (valueEnd > buf.length) {
      if (!SURROGATE.test(buf.slice(valueStart))) return INCOMPLETE;
      valueEnd = advanceCodePoints(buf, valueStart, len);
      if (valueEnd === INCOMPLETE) return INCOMPLETE;
    } else if (SURROGATE.test(buf.slice(valueStart, valueEnd))) {
      valueEnd = advanceCodePoints(buf, valueStart, len);
      if (valueEnd === INCOMPLETE) return INCOMPLETE;
    }
    if (valueEnd >= buf.length) return INCOMPLETE;
    elements.push(buf.slice(valueStart, valueEnd));
    const terminator = buf.charCodeAt(valueEnd);
    i = valueEnd + 1;
    if (terminator === 59 /* ; */) return i;
    if (terminator !== 44 /* , */) throw new ProtocolViolation("element not followed by ',' or ';'");
  }
}

/** Index after `count` code points from `from`, or INCOMPLETE when the text ends first. */
function advanceCodePoints(buf: string, from: number, count: number): number {
  let i = from;
  for (let n = 0; n < count; n++) {
    if (i >= buf.length) return INCOMPLETE;
    const c = buf.charCodeAt(i);
    if (c >= 0xd800 && c <= 0xdbff) {
      if (i + 1 >= buf.length) return INCOMPLETE;
      i += 2;
    } else i++;
  }
  return i;
}
