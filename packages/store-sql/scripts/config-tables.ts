/**
 * Prints the configuration tables of both stores, for docs/providers/store-sql.md:
 *   node --conditions=@calipso/source --import tsx packages/store-sql/scripts/config-tables.ts
 */
import { configTable } from "../src/config-table.ts";
import { MysqlConfigSchema, SqliteConfigSchema } from "../src/config.ts";

process.stdout.write(`### \`mysql\`\n\n${configTable(MysqlConfigSchema)}\n\n### \`sqlite\`\n\n${configTable(SqliteConfigSchema)}\n`);
