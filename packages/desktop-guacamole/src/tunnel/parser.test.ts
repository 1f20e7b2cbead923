import { StringDecoder } from "node:string_decoder";
import { describe, expect, it } from "vitest";
import { InstructionParser, ProtocolViolation } from "./parser.ts";
import { closeReason, codePointLength, encodeInstruction } from "./protocol.ts";

describe("Guacamole instruction encoding and parsing", () => {
  it("encodes lengths in Unicode code points, not UTF-16 units or bytes", () => {
    expect(encodeInstruction("size", 0, 1024, 768)).toBe("4.size,1.0,4.1024,3.768;");
    expect(encodeInstruction("name", "é")).toBe("4.name,1.é;");
    expect(encodeInstruction("name", "😀")).toBe("4.name,1.😀;");
    expect(encodeInstruction("name", "a😀é€")).toBe("4.name,4.a😀é€;");
    expect(codePointLength("😀😀")).toBe(2);
    expect("😀😀".length).toBe(4);
  });

  it("parses non-ASCII and astral-plane values by code points", () => {
    const p = new InstructionParser();
    const { instructions, complete } = p.push("3.key,2.😀é,1.1;5.mouse,1.0,1.0;");
    expect(instructions.map((i) => [i.opcode, ...i.args])).toEqual([
      ["key", "😀é", "1"],
      ["mouse", "0", "0"],
    ]);
    expect(complete).toBe("3.key,2.😀é,1.1;5.mouse,1.0,1.0;");
    expect(p.buffered).toBe(0);
  });

  it("handles every split of a byte stream, including inside UTF-8 sequences and surrogate pairs", () => {
    const text = encodeInstruction("clipboard", "x😀yé") + encodeInstruction("sync", 12) + encodeInstruction("", "ping", 5);
    const bytes = Buffer.from(text, "utf8");
    for (let cut = 0; cut <= bytes.length; cut++) {
      const p = new InstructionParser();
      const dec = new StringDecoder("utf8");
      const a = p.push(dec.write(bytes.subarray(0, cut)));
      const b = p.push(dec.write(bytes.subarray(cut)));
      const all = [...a.instructions, ...b.instructions].map((i) => [i.opcode, ...i.args]);
      expect(all).toEqual([["clipboard", "x😀yé"], ["sync", "12"], ["", "ping", "5"]]);
      expect(a.complete + b.complete).toBe(text);
    }
  });

  it("returns every instruction of a coalesced frame and keeps a trailing partial one", () => {
    const p = new InstructionParser();
    const r = p.push("4.sync,1.1;4.sync,1.2;4.sync,1.3;4.sy");
    expect(r.instructions).toHaveLength(3);
    expect(r.complete).toBe("4.sync,1.1;4.sync,1.2;4.sync,1.3;");
    expect(p.push("nc,1.4;").instructions[0]?.args).toEqual(["4"]);
  });

  it("refuses malformed input and unbounded partial instructions", () => {
    expect(() => new InstructionParser().push("x.size;")).toThrow(ProtocolViolation);
    expect(() => new InstructionParser().push("4.size:")).toThrow(ProtocolViolation);
    expect(() => new InstructionParser().push(".size;")).toThrow(ProtocolViolation);
    expect(() => new InstructionParser({ maxPending: 16 }).push("99999.aaaaaaaaaaaaaaaaaaaaaaaa")).toThrow(ProtocolViolation);
  });

  it("builds close reasons that start with the status and fit a close frame", () => {
    expect(closeReason(519, "guacd: Aborted. See logs.")).toBe("519 upstream not found: guacd: Aborted. See logs.");
    expect(Buffer.byteLength(closeReason(519, "é".repeat(200)))).toBeLessThanOrEqual(123);
    expect(Number.parseInt(closeReason(769, "x"), 10)).toBe(769);
  });
});
