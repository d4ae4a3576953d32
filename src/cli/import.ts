import type { Command } from 'commander';
import type { Ctx } from '../services/context.ts';
import { findProject } from '../services/projects.ts';
import { importProject, type ImportReport } from '../services/imports.ts';
import type { ImportKind } from '../domain/imports.ts';
import { NotFoundError } from '../domain/errors.ts';
import { ImportError, sourceBase, sourceClient } from './import-source.ts';

const LABELS: Record<ImportKind, string> = {
  monitor: 'monitors',
  healthcheck: 'healthchecks',
  statuspage: 'status pages',
  subscriber: 'subscribers',
  maintenance: 'maintenance windows',
  incident: 'incidents',
};

/** `\r[#####     ] 12/40 monitors` on stderr, only when it is a terminal. */
function progressLine() {
  const tty = process.stderr.isTTY === true;
  const write = (text: string) => tty && process.stderr.write(`\r\x1b[2K${text}`);
  return {
    fetch: (what: string) => write(`reading ${what}…`),
    step(kind: ImportKind, done: number, total: number) {
      const width = 20;
      const filled = total === 0 ? width : Math.round((done / total) * width);
      write(`[${'#'.repeat(filled)}${' '.repeat(width - filled)}] ${done}/${total} ${LABELS[kind]}`);
    },
    clear: () => write(''),
  };
}

function summary(report: ImportReport, table: (rows: string[][]) => string, header: string): string {
  const rows = [['KIND', 'FOUND', 'CREATED', 'UPDATED', 'UNCHANGED', 'SKIPPED', 'FAILED']];
  for (const k of report.kinds)
    rows.push([LABELS[k.kind], ...[k.found, k.created, k.updated, k.unchanged, k.skipped, k.failed].map(String)]);
  const notes = report.notes.map((n) => `note: ${n.kind} "${n.name}" (${n.id}): ${n.note}`);
  return [header, '', table(rows), ...(notes.length ? ['', ...notes] : [])].join('\n');
}

/** Registers `vigil import`; main.ts lends its ctx opener and table printer. */
export function registerImport(
  program: Command,
  withCtx: <T>(fn: (ctx: Ctx) => Promise<T>) => Promise<T>,
  table: (rows: string[][]) => string,
) {
  program
    .command('import')
    .description(
      'copy monitors, healthchecks, status pages (sections, subscribers), maintenance windows and incidents from a Hyperping-compatible API into a project; a re-run updates only what changed',
    )
    .requiredOption('--from <url>', 'the source API: https://api.hyperping.io or another Vigil')
    .requiredOption('--key <key>', 'an API key of the source project (sk_…; read-only is enough)')
    .requiredOption('--project <project>', 'the local project to import into (proj_…, or its name when unique)')
    .option('--dry-run', 'read the source and report what would change, writing nothing')
    .option('--json', 'print one JSON document')
    .action(async (o: { from: string; key: string; project: string; dryRun?: boolean; json?: boolean }) => {
      const progress = progressLine();
      try {
        const base = sourceBase(o.from);
        const report = await withCtx(async (ctx) => {
          const project = await findProject(ctx, o.project).catch((err) => {
            throw err instanceof NotFoundError
              ? new ImportError(
                  `project ${o.project} does not exist here (vigil projects list shows the local projects)`,
                )
              : err;
          });
          const data = await sourceClient(base, o.key, { onFetch: progress.fetch }).readAll();
          return importProject(ctx, data, {
            source: base,
            projectUuid: project.uuid,
            dryRun: !!o.dryRun,
            onProgress: progress.step,
          });
        });
        progress.clear();
        for (const f of report.failures)
          process.stderr.write(`vigil import: ${f.kind} "${f.name}" (${f.id}) failed: ${f.error}\n`);
        if (o.json) {
          process.stdout.write(
            `${JSON.stringify({ source: base, project: o.project, dryRun: !!o.dryRun, ...report }, null, 2)}\n`,
          );
        } else {
          const header = o.dryRun
            ? `Dry run: read ${base}, nothing was written to ${o.project}.`
            : `Imported ${base} into ${o.project}.`;
          process.stdout.write(`${summary(report, table, header)}\n`);
        }
        if (report.failures.length) process.exitCode = 1;
      } catch (err) {
        if (!(err instanceof ImportError)) throw err;
        progress.clear();
        process.stderr.write(`vigil: ${err.message}\n`);
        process.exitCode = 1;
      }
    });
}
