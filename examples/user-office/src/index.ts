/** @module The reference user office (CalipsoPlus user-office REST contract) as a library. */
export { createUserOfficeApp } from "./app.ts";
export type { UserOfficeOptions } from "./app.ts";
export { OfficeAccountSchema, OfficeExperimentSchema, OfficeSessionSchema, UserOfficeDataSchema, loadUserOfficeData, parseUserOfficeData } from "./data.ts";
export type { UserOfficeData, UserOfficeDataInput } from "./data.ts";
export { checkOfficePassword, hashOfficePassword } from "./password.ts";
export { toPythonLiteral } from "./python-literal.ts";
export { startUserOffice } from "./start.ts";
export type { RunningUserOffice } from "./start.ts";
