import { describe, expect, it } from "vitest";
import { substitute } from "./substitute.ts";

const sources = (env: Record<string, string>, files: Record<string, string> = {}) => ({
  env,
  baseDir: "/etc/calipso",
  readFile: (p: string) => {
    if (!(p in files)) throw new Error("ENOENT");
    return files[p]!;
  },
});

describe("[server/config-subst] ${ENV} and ${file:…} substitution", () => {
  it("replaces variables and files inside strings, at any depth", () => {
    const out = substitute({ a: "x-${HOST}-y", b: [{ c: "${file:/run/secrets/key}" }], n: 3 }, sources({ HOST: "db" }, { "/run/secrets/key": "s3cret\n" }));
    expect(out).toEqual({ a: "x-db-y", b: [{ c: "s3cret" }], n: 3 });
  });

  it("resolves relative files against the config folder, supports defaults and $${ escapes", () => {
    const out = substitute({ k: "${file:keys/k}", d: "${PORT:-8080}", e: "$${NOT}" }, sources({}, { "/etc/calipso/keys/k": "K" }));
    expect(out).toEqual({ k: "K", d: 8080, e: "${NOT}" });
  });

  it("names the config path of a missing variable or unreadable file", () => {
    expect(() => substitute({ store: { config: { password: "${DB_PASSWORD}" } } }, sources({}))).toThrow(/store\.config\.password: environment variable DB_PASSWORD is not set/);
    expect(() => substitute({ secretKey: "${file:/nope}" }, sources({}))).toThrow(/secretKey: cannot read \/nope/);
    expect(() => substitute({ x: ["${bad name}"] }, sources({}))).toThrow(/x\[0\]: bad substitution/);
  });

  it("a value that is exactly one variable takes its number or boolean type", () => {
    expect(substitute({ p: "${PORT}", s: "${ON}", t: "port ${PORT}", f: "${file:/n}" }, sources({ PORT: "8080", ON: "false" }, { "/n": "42" }))).toEqual({
      p: 8080,
      s: false,
      t: "port 8080",
      f: "42",
    });
  });

  it("never re-parses substituted text: a value with YAML syntax stays a string", () => {
    expect(substitute({ v: "${V}" }, sources({ V: "a: [1, 2]\nb: c" }))).toEqual({ v: "a: [1, 2]\nb: c" });
  });
});
