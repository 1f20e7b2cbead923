/** @module Shared vitest settings: resolve workspace packages to their TypeScript sources (no build needed). */
import { defaultServerConditions } from "vite";

export const sourceConditions = ["@calipso/source", ...defaultServerConditions];
