/** @module Types of `collect.mjs`, for the tests in `test/`. */
export declare const TEST_ROOTS: string[];
/** Why a test file's text cannot run on every runtime, or null when it can. */
export declare function nodeOnlyReason(source: string): string | null;
export declare function collectTestFiles(root: string): { included: string[]; excluded: { file: string; reason: string }[] };
export declare function checkBundles(
  root: string,
  shimPath: string,
  files: string[],
): Promise<{ ok: string[]; excluded: { file: string; reason: string }[]; errors: { file: string; error: string }[] }>;
export declare function bundle(root: string, shimPath: string, files: string[], outFile: string, kind: "cli" | "worker", quietFiles?: string[]): Promise<void>;
