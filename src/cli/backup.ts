import path from 'node:path';
import type { Command } from 'commander';
import { loadConfig } from '../config.ts';
import { StoreError } from '../storage/store.ts';
import { backupSqlite, postgresGuidance, restoreSqlite } from '../storage/backup.ts';

/** Registers `vigil backup FILE` and `vigil restore FILE` (SQLite; PostgreSQL gets the pg_dump line). */
export function registerBackup(program: Command) {
  program
    .command('backup')
    .description(
      'copy the SQLite database to FILE while the server keeps running (PostgreSQL: prints the pg_dump command)',
    )
    .argument('<file>', 'where to write the copy (must not exist)')
    .action(async (file: string) => {
      const config = loadConfig();
      if (config.databaseUrl) throw new StoreError(postgresGuidance('backup', file, config.databaseUrl));
      const r = await backupSqlite(config.dataDir, path.resolve(file));
      process.stdout.write(
        `Backed up ${r.source} to ${path.resolve(file)} (${r.bytes} bytes, ${r.migrations} migrations).\n`,
      );
    });
  program
    .command('restore')
    .description(
      'replace the SQLite database of VIGIL_DATA_DIR with a backup; the server must be stopped (the old file is kept as .bak)',
    )
    .argument('<file>', 'a file made by vigil backup')
    .action(async (file: string) => {
      const config = loadConfig();
      if (config.databaseUrl) throw new StoreError(postgresGuidance('restore', file, config.databaseUrl));
      const r = restoreSqlite(config.dataDir, path.resolve(file));
      // Opening it applies the migrations a backup from an older Vigil lacks.
      const { openStore } = await import('../storage/store.ts');
      await (await openStore({ databaseUrl: null, dataDir: config.dataDir })).close();
      process.stdout.write(
        `Restored ${path.resolve(file)} into ${r.target}${r.kept ? ` (the previous database is kept as ${r.kept})` : ''}.\n`,
      );
    });
}
