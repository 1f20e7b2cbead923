/**
 * @module @calipso/server/node — the Node host: configuration files, provider resolution, the
 * listener with background work and graceful shutdown, metrics, logs and the `calipso` CLI.
 */
export { runCli, USAGE } from "./cli.ts";
export type { CliIo } from "./cli.ts";
export { startServer, deriveCsrfKey } from "./serve.ts";
export type { RunningServer, StartOptions } from "./serve.ts";
export { buildCalipso, buildStore } from "./build.ts";
export type { BuiltCalipso, BuildOptions } from "./build.ts";
export { loadConfigFile, loadConfigObject, parseConfigText } from "./config/load.ts";
export type { LoadedConfig, LoadOptions } from "./config/load.ts";
export { BaseConfigSchema, composeSchema } from "./config/schema.ts";
export type { BaseConfig, ResolvedProviders } from "./config/schema.ts";
export { substitute } from "./config/substitute.ts";
export { configJsonSchema, catalogueJsonSchema } from "./config/json-schema.ts";
export { configReference } from "./config/markdown.ts";
export { BUILTIN_ALIASES, pickDefinition, resolveProvider } from "./providers.ts";
export { checkConfig, explain, formatCheck } from "./check.ts";
export type { CheckResult } from "./check.ts";
export { importData, readImportFile } from "./import.ts";
export { readImportCsv } from "./import-csv.ts";
export type { CsvFiles } from "./import-csv.ts";
export { createLogger, fromPino, runWithRequestId } from "./logger.ts";
export { createMetrics } from "./metrics.ts";
export type { Metrics } from "./metrics.ts";
export { clientAddressResolver, createAddressMatcher } from "./client-address.ts";
export { swaggerUiAssets } from "./docs-assets.ts";
export { DEMO_LOGINS, demoConfig, findDockerSocket } from "./demo.ts";
export type { DemoOptions } from "./demo.ts";
export { mountTunnel } from "./tunnel.ts";
export type { MountedTunnel } from "./tunnel.ts";
export { startBackgroundLoop } from "./background.ts";
export { checkWorkers, startCluster } from "./cluster.ts";
export type { Serving } from "./cluster.ts";
export type { BackgroundLoop } from "./background.ts";
