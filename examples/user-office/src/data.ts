/**
 * @module The data file of the reference user office: accounts, Umbrella hashes and experiments,
 * in the shapes the CalipsoPlus user-office contract returns (quirks included, so tests can use them).
 */
import { readFile } from "node:fs/promises";
import { parse } from "yaml";
import { z } from "zod";

const PasswordHashSchema = z
  .string()
  .regex(/^pbkdf2-sha256\$[0-9]{4,8}\$[A-Za-z0-9+/=]+\$[A-Za-z0-9+/=]+$/)
  .describe("pbkdf2-sha256$<iterations>$<salt b64>$<hash b64> (the same format as Calipso's static provider)");

/** A date as the contract allows it: `%Y-%m-%dT%H:%M:%SZ` or the `{year, month, day}` fallback. */
const ContractDateSchema = z.union([
  z.string().describe("Date-time, %Y-%m-%dT%H:%M:%SZ"),
  z.strictObject({ year: z.number().int(), month: z.number().int(), day: z.number().int() }).describe("Date as a dict"),
]);

/** `data_set_path`: a Docker volume dict, returned as JSON or Python-literal text; a string is returned unchanged. */
const DataSetPathSchema = z.union([z.string(), z.record(z.string(), z.unknown())]);

export const OfficeSessionSchema = z.strictObject({
  session_number: z.union([z.string(), z.number()]).describe("Session number"),
  start_date: ContractDateSchema.optional(),
  end_date: ContractDateSchema.optional(),
  subject: z.string().default(""),
  body: z.string().default(""),
  data_set_path: DataSetPathSchema.optional().describe("Volumes to mount"),
  data_set_path_format: z.enum(["json", "python"]).default("json").describe("How an object data_set_path is serialised"),
});

export const OfficeExperimentSchema = z.strictObject({
  proposal_id: z.string().min(1),
  subject: z.string().default(""),
  body: z.string().default(""),
  beam_line: z.string().default(""),
  uid: z.union([z.string(), z.number()]).optional(),
  gid: z.union([z.string(), z.number()]).optional(),
  members: z.array(z.string()).default([]).describe("Logins of the members"),
  sessions: z.array(OfficeSessionSchema).default([]),
});

export const OfficeAccountSchema = z.strictObject({
  login: z.string().min(1),
  passwordHash: PasswordHashSchema.optional(),
  eaaHashes: z.array(z.string().min(1)).default([]).describe("Umbrella EAA hashes linked to this account"),
  mayUseOwnResources: z.boolean().default(false),
});

/** The whole data file. */
export const UserOfficeDataSchema = z.strictObject({
  service: z
    .strictObject({ username: z.string().min(1), passwordHash: PasswordHashSchema })
    .describe("HTTP Basic credentials Calipso uses for is-authorized and experiments"),
  accounts: z.array(OfficeAccountSchema).default([]),
  experiments: z.array(OfficeExperimentSchema).default([]),
  /** Spell the session key as API.md does (`sesion_number`) instead of as the seed code reads it. */
  sessionNumberKey: z.enum(["session_number", "sesion_number"]).default("session_number"),
});
export type UserOfficeData = z.output<typeof UserOfficeDataSchema>;
export type UserOfficeDataInput = z.input<typeof UserOfficeDataSchema>;

/** Parses and validates a YAML (or JSON) data file's text. */
export function parseUserOfficeData(text: string): UserOfficeData {
  return UserOfficeDataSchema.parse(parse(text));
}

/** Reads and validates a data file. */
export async function loadUserOfficeData(path: string): Promise<UserOfficeData> {
  return parseUserOfficeData(await readFile(path, "utf8"));
}
