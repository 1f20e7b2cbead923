/**
 * @module Every public export of every package entry point is documented in the root API.md.
 *
 * For each `exports` entry of each `packages/*` package.json the module is imported (through the `@calipso/source`
 * condition, so it must load) and its runtime export names are collected; parsing the entry file adds the
 * type-only exports (`export type {…}`, `export { type … }`, interfaces, and what `export * from "./x.ts"` brings in).
 * Each name must appear in API.md as a backticked name (`` `name` ``, `` `name(…)` `` or `` `name<…>` ``), and each
 * package must have its own `## @calipso/<package>` section.
 */
import { readFileSync, readdirSync } from "node:fs";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import ts from "typescript";
import { describe, expect, it } from "vitest";

const root = resolve(dirname(fileURLToPath(import.meta.url)), "..");
const packagesDir = join(root, "packages");

interface Entry {
  pkg: string;
  specifier: string;
  source: string;
}

function entries(): Entry[] {
  const out: Entry[] = [];
  for (const dir of readdirSync(packagesDir, { withFileTypes: true })) {
    if (!dir.isDirectory()) continue;
    const json = JSON.parse(readFileSync(join(packagesDir, dir.name, "package.json"), "utf8")) as {
      name: string;
      exports?: Record<string, string | Record<string, string>>;
    };
    for (const [subpath, target] of Object.entries(json.exports ?? {})) {
      if (subpath === "./package.json") continue;
      const source = typeof target === "string" ? target : target["@calipso/source"];
      if (!source) throw new Error(`${json.name} export "${subpath}" has no @calipso/source condition`);
      out.push({
        pkg: json.name,
        specifier: subpath === "." ? json.name : `${json.name}/${subpath.slice(2)}`,
        source: join(packagesDir, dir.name, source),
      });
    }
  }
  return out.sort((a, b) => a.specifier.localeCompare(b.specifier));
}

/**
 * Names a module file exports, types included, by parsing (no type-checking, so it is fast): `export { a, type B }`,
 * `export type { C }`, exported declarations, `export * as ns`, and `export * from "./relative.ts"` followed
 * recursively. Runtime names are covered again by importing the module.
 */
export function declaredExports(file: string, seen = new Set<string>()): string[] {
  if (seen.has(file)) return [];
  seen.add(file);
  const source = ts.createSourceFile(file, readFileSync(file, "utf8"), ts.ScriptTarget.ES2022, false, ts.ScriptKind.TS);
  const names: string[] = [];
  const exported = (node: ts.Node) =>
    ts.canHaveModifiers(node) && (ts.getModifiers(node) ?? []).some((m) => m.kind === ts.SyntaxKind.ExportKeyword);
  for (const statement of source.statements) {
    if (ts.isExportDeclaration(statement)) {
      const clause = statement.exportClause;
      const from = statement.moduleSpecifier && ts.isStringLiteral(statement.moduleSpecifier) ? statement.moduleSpecifier.text : null;
      if (clause && ts.isNamedExports(clause)) names.push(...clause.elements.map((e) => e.name.text));
      else if (clause && ts.isNamespaceExport(clause)) names.push(clause.name.text);
      else if (from?.startsWith(".")) names.push(...declaredExports(resolve(dirname(file), from), seen));
      else if (from) throw new Error(`${file}: "export * from ${from}" cannot be checked statically; name the exports`);
    } else if (exported(statement)) {
      if (ts.isVariableStatement(statement)) {
        for (const d of statement.declarationList.declarations) if (ts.isIdentifier(d.name)) names.push(d.name.text);
      } else if (
        (ts.isFunctionDeclaration(statement) ||
          ts.isClassDeclaration(statement) ||
          ts.isInterfaceDeclaration(statement) ||
          ts.isTypeAliasDeclaration(statement) ||
          ts.isEnumDeclaration(statement)) &&
        statement.name
      ) {
        names.push(statement.name.text);
      }
    }
  }
  return names;
}

/** Which of `names` API.md does not mention as a backticked name. */
export function undocumented(apiMd: string, names: Iterable<string>): string[] {
  const escape = (s: string) => s.replace(/[$.*+?^()[\]{}|\\]/g, "\\$&");
  return [...new Set(names)].filter((name) => !new RegExp(`\`${escape(name)}(\`|\\(|<)`).test(apiMd)).sort();
}

function readApiMd(): string {
  try {
    return readFileSync(join(root, "API.md"), "utf8");
  } catch {
    return "";
  }
}

describe("API.md", () => {
  const all = entries();

  it("[api-md/00] the documentation check itself finds missing names (negative control)", () => {
    const doc = "## @calipso/x\n- `alpha` — a.\n- `beta(x)` — b.\n- `Gamma<T>` — c.\n- `deltaX` — d.\n";
    expect(undocumented(doc, ["alpha", "beta", "Gamma", "delta", "epsilon"])).toEqual(["delta", "epsilon"]);
  });

  it("[api-md/00b] the export parser sees type-only exports (negative control)", () => {
    const names = declaredExports(join(packagesDir, "core/src/index.ts"));
    for (const typeOnly of ["AppErrorOptions", "ComputeBackend", "Store", "Calipso"]) expect(names).toContain(typeOnly);
  });

  it("[api-md/01] API.md exists and has a section for every package", () => {
    expect(all.length).toBeGreaterThanOrEqual(11);
    const apiMd = readApiMd();
    expect(apiMd, "API.md at the repository root").not.toBe("");
    const missing = [...new Set(all.map((e) => e.pkg))].filter(
      (pkg) => !new RegExp(`^##\\s+\`?${pkg.replace("/", "\\/")}(?![\\w-])`, "m").test(apiMd),
    );
    expect(missing.map((pkg) => `no "## ${pkg}" section`)).toEqual([]);
  });

  it.each(all.map((e) => [e.specifier, e] as const))("[api-md/02] %s loads and every export is in API.md", async (_name, entry) => {
    const runtime = Object.keys((await import(entry.specifier)) as Record<string, unknown>);
    const names = [...runtime, ...declaredExports(entry.source)].filter((n) => n !== "default");
    expect(names, `${entry.specifier} exports nothing`).not.toEqual([]);
    const missing = undocumented(readApiMd(), names);
    expect(missing.length ? `${missing.length} undocumented: ${missing.join(", ")}` : "").toBe("");
  });
});
