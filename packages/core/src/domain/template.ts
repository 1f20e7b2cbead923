/** @module Templates: what a user can launch (the seed system's "images"). */
import { z } from "zod";
import { RoleSchema } from "./user.ts";

/** How the compute backend decides that a workload is ready. */
export const ReadinessSchema = z.union([
  z.strictObject({ tcp: z.literal(true).describe("Ready when the port accepts a TCP connection") }),
  z.strictObject({ log: z.string().min(1).max(512).describe("Ready when a log line matches this regular expression") }),
  z.strictObject({ http: z.string().startsWith("/").max(512).describe("Ready when GET of this path answers below 500") }),
]);
export type Readiness = z.infer<typeof ReadinessSchema>;

/** Resources reserved for one instance. */
export const ResourcesSchema = z.strictObject({
  cpu: z.number().positive().max(1024).describe("CPU cores (fractions allowed)"),
  memoryMiB: z.number().int().positive().max(16 * 1024 * 1024).describe("Memory in MiB"),
  storageGiB: z.number().positive().max(1024 * 1024).optional().describe("Writable storage in GiB, where the backend supports it"),
});
export type Resources = z.infer<typeof ResourcesSchema>;

/** How the per-instance desktop secret reaches the workload. */
export const SecretDeliverySchema = z.union([
  z.strictObject({ env: z.string().regex(/^[A-Z_][A-Z0-9_]*$/).describe("Environment variable name") }),
  z.strictObject({ file: z.string().startsWith("/").describe("Absolute path of a read-only file in the workload") }),
]);
export type SecretDelivery = z.infer<typeof SecretDeliverySchema>;

/** A launchable environment template. */
export const TemplateSchema = z
  .strictObject({
    name: z.string().regex(/^[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?$/).describe("Slug; unique"),
    title: z.string().min(1).max(256),
    description: z.string().max(4096).optional(),
    kind: z.enum(["desktop", "web", "link"]).describe("desktop: VNC/RDP through the gateway; web: HTTP app; link: external URL"),
    backend: z.string().min(1).max(64).default("default").describe("Name of a configured compute backend"),
    image: z.string().max(512).default("").describe("Container image (empty for links)"),
    command: z.array(z.string().max(4096)).max(256).optional(),
    env: z.record(z.string().regex(/^[A-Za-z_][A-Za-z0-9_]*$/), z.string().max(8192)).optional(),
    protocol: z.enum(["vnc", "rdp", "ssh", "http"]).default("vnc"),
    port: z.number().int().min(1).max(65535).default(5901),
    resources: ResourcesSchema,
    readiness: ReadinessSchema.default({ tcp: true }),
    timeoutSec: z.number().int().min(1).max(3600).default(120).describe("Deadline for start and readiness"),
    maxLifetimeHours: z.number().positive().max(24 * 365).optional(),
    idleMinutes: z.number().positive().max(60 * 24 * 365).optional(),
    url: z.url().optional().describe("Target of a link template"),
    roles: z.array(RoleSchema).optional().describe("Only users with one of these roles may launch it"),
    secret: SecretDeliverySchema.default({ env: "CALIPSO_DESKTOP_PASSWORD" }),
    allowRoot: z.boolean().default(false).describe("Allow the workload to run as uid 0 (refused otherwise)"),
    capabilities: z.array(z.string().regex(/^[A-Z_]+$/)).max(64).default([]).describe("Linux capabilities to keep"),
  })
  .describe("Template");
export type Template = z.infer<typeof TemplateSchema>;
export type TemplateInput = z.input<typeof TemplateSchema>;
