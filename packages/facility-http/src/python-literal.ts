/**
 * @module Parses the Python-literal text some user offices send as `data_set_path`
 * (`{'/data/p1': {'bind': '/data', 'mode': 'ro'}}`): dicts, lists, tuples, strings, numbers,
 * True/False/None only. It never evaluates anything; input is bounded in size and depth.
 */

const MAX_LENGTH = 64 * 1024;
const MAX_DEPTH = 16;

class ParseError extends Error {
  override readonly name = "PythonLiteralError";
}

/** Parses a Python literal into JSON-like values; throws on anything else. */
export function parsePythonLiteral(text: string): unknown {
  if (text.length > MAX_LENGTH) throw new ParseError("literal too long");
  let i = 0;
  const ws = () => {
    while (i < text.length && /\s/.test(text[i]!)) i++;
  };
  const fail = (what: string): never => {
    throw new ParseError(`${what} at ${i}`);
  };
  const str = (): string => {
    const quote = text[i++]!;
    let out = "";
    while (i < text.length && text[i] !== quote) {
      let ch = text[i++]!;
      if (ch === "\\") {
        const e = text[i++];
        const map: Record<string, string> = { n: "\n", t: "\t", r: "\r", "\\": "\\", "'": "'", '"': '"', "0": "\0" };
        if (e === undefined || !(e in map)) fail("unsupported escape");
        ch = map[e!]!;
      }
      out += ch;
    }
    if (text[i++] !== quote) fail("unterminated string");
    return out;
  };
  const value = (depth: number): unknown => {
    if (depth > MAX_DEPTH) fail("nested too deeply");
    ws();
    const ch = text[i];
    if (ch === "'" || ch === '"') return str();
    if (ch === "{" || ch === "[" || ch === "(") {
      const close = ch === "{" ? "}" : ch === "[" ? "]" : ")";
      i++;
      const obj: Record<string, unknown> = {};
      const arr: unknown[] = [];
      ws();
      while (text[i] !== close) {
        const v = value(depth + 1);
        ws();
        if (ch === "{") {
          if (text[i++] !== ":") fail("expected ':'");
          if (typeof v !== "string" && typeof v !== "number") fail("dict keys must be strings or numbers");
          obj[String(v)] = value(depth + 1);
          ws();
        } else arr.push(v);
        if (text[i] === ",") {
          i++;
          ws();
        } else if (text[i] !== close) fail(`expected ',' or '${close}'`);
      }
      i++;
      return ch === "{" ? obj : arr;
    }
    const word = /^(True|False|None|-?\d+(\.\d+)?([eE][+-]?\d+)?)/.exec(text.slice(i, i + 64));
    if (!word) return fail("unexpected token");
    i += word[0].length;
    return word[0] === "True" ? true : word[0] === "False" ? false : word[0] === "None" ? null : Number(word[0]);
  };
  const result = value(0);
  ws();
  if (i !== text.length) fail("trailing characters");
  return result;
}
