import { readFileSync } from "node:fs";
import { ERROR_CODES, toProblem, AppError } from "@calipso/core";
import type { ErrorCode } from "@calipso/core";
import { describe, expect, it } from "vitest";

describe("[server/errors-doc] docs/errors.md", () => {
  it("has one anchor per error code, the one that toProblem's type links to, with the code's status", () => {
    const doc = readFileSync(new URL("../../../../docs/errors.md", import.meta.url), "utf8");
    for (const code of Object.keys(ERROR_CODES) as ErrorCode[]) {
      const anchor = toProblem(new AppError(code)).type.split("#")[1]!;
      expect(doc, code).toContain(`<a id="${anchor}"></a>\n## ${anchor}\n\n**${ERROR_CODES[code].status} — ${ERROR_CODES[code].title}.**`);
    }
  });
});
