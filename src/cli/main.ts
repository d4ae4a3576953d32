import { Command, CommanderError } from 'commander';
import { ConfigError, loadConfig } from '../config.ts';
import { DomainError } from '../domain/errors.ts';
import { StoreError } from '../storage/store.ts';
import { createProject, existingUser, listProjects, setProjectQuorum, type Project } from '../services/projects.ts';
import { parseQuorum } from '../domain/status.ts';
import { addExistingMember } from '../services/members.ts';
import { createApiKey, listApiKeys, revokeApiKey } from '../services/api-keys.ts';
import { iso, type Ctx } from '../services/context.ts';
import { createUser } from '../services/users.ts';
import { registerBackup } from './backup.ts';
import { registerImport } from './import.ts';
import { registerProbes } from './probes.ts';

const quiet = { info() {}, warn() {}, error() {} };

function projectJson(p: Project) {
  return { uuid: p.uuid, name: p.name, createdAt: iso(p.created_at) };
}

function print(json: boolean, value: unknown, human: () => string) {
  process.stdout.write(json ? `${JSON.stringify(value, null, 2)}\n` : `${human()}\n`);
}

/** Runs one command against the database, closing it afterwards. */
async function withCtx<T>(fn: (ctx: Ctx) => Promise<T>): Promise<T> {
  const { openContext } = await import('../main.ts');
  const ctx = await openContext(loadConfig(), quiet);
  try {
    return await fn(ctx);
  } finally {
    await ctx.store.close();
  }
}

function table(rows: string[][]): string {
  const widths = rows[0].map((_, i) => Math.max(...rows.map((r) => r[i].length)));
  return rows.map((r) => r.map((c, i) => c.padEnd(widths[i])).join('  ').trimEnd()).join('\n');
}

const program = new Command('vigil')
  .description('Vigil: self-hosted uptime monitoring with a Hyperping-compatible API')
  .showHelpAfterError(false)
  .exitOverride();

program
  .command('serve')
  .description('start the server (API, scheduler, probes); what `npm start` runs')
  .action(async () => {
    const { startServer } = await import('../main.ts');
    const running = await startServer(loadConfig());
    const stop = async (signal: string) => {
      running.ctx.log.info({ signal }, 'shutting down');
      await running.stop();
      process.exit(0);
    };
    process.once('SIGTERM', () => void stop('SIGTERM'));
    process.once('SIGINT', () => void stop('SIGINT'));
  });

const projects = program.command('projects').description('manage projects');
projects
  .command('create')
  .requiredOption('--name <name>', 'project name')
  .option('--owner <email>', 'an existing dashboard user who becomes the project\'s owner')
  .option('--json', 'print JSON')
  .action(async (o: { name: string; owner?: string; json?: boolean }) => {
    if (o.owner === undefined) {
      const p = await withCtx((ctx) => createProject(ctx, o.name));
      return print(!!o.json, projectJson(p), () => `Created project ${p.uuid} "${p.name}"`);
    }
    const [p, owner] = await withCtx(async (ctx) => {
      const made = await createProject(ctx, o.name, { ownerEmail: o.owner });
      return [made, await existingUser(ctx, o.owner!)] as const;
    });
    print(!!o.json, { ...projectJson(p), owner: { id: owner.uuid, email: owner.email } }, () => `Created project ${p.uuid} "${p.name}", owned by ${owner.email}`);
  });
projects
  .command('list')
  .option('--json', 'print JSON')
  .action(async (o: { json?: boolean }) => {
    const list = await withCtx((ctx) => listProjects(ctx));
    print(!!o.json, list.map(projectJson), () => table([['UUID', 'NAME', 'CREATED'], ...list.map((p) => [p.uuid, p.name, iso(p.created_at)])]));
  });
projects
  .command('set')
  .requiredOption('--project <uuid>', 'project uuid (proj_…)')
  .requiredOption('--quorum <n>', 'regions that must agree before a monitor goes down or up: a number (2-18) or "majority"')
  .option('--json', 'print JSON')
  .action(async (o: { project: string; quorum: string; json?: boolean }) => {
    const quorum = parseQuorum(o.quorum);
    const p = await withCtx((ctx) => setProjectQuorum(ctx, o.project, quorum));
    print(!!o.json, { ...projectJson(p), quorum: p.quorum ?? 'majority' }, () => `Project ${p.uuid}: quorum ${p.quorum ?? 'majority'}`);
  });

const keys = program.command('keys').description('manage API keys');
keys
  .command('create')
  .requiredOption('--project <uuid>', 'project uuid (proj_…)')
  .requiredOption('--name <name>', 'a label such as "Production"')
  .requiredOption('--permission <permission>', 'read_write or read_only')
  .option('--expires <date>', 'ISO 8601 date (expires 00:00 UTC that day), date-time, or "never"', 'never')
  .option('--json', 'print JSON')
  .action(async (o: { project: string; name: string; permission: string; expires: string; json?: boolean }) => {
    const k = await withCtx((ctx) => createApiKey(ctx, { projectUuid: o.project, name: o.name, permission: o.permission, expires: o.expires, actor: 'cli' }));
    print(!!o.json, k, () =>
      `Created API key ${k.id} "${k.name}" (${k.permission}, expires ${k.expiresAt ?? 'never'}).\n\n  ${k.key}\n\nStore it now: it is shown only once.`);
  });
keys
  .command('list')
  .requiredOption('--project <uuid>', 'project uuid (proj_…)')
  .option('--json', 'print JSON')
  .action(async (o: { project: string; json?: boolean }) => {
    const list = await withCtx((ctx) => listApiKeys(ctx, o.project));
    print(!!o.json, list, () =>
      table([['ID', 'NAME', 'PERMISSION', 'KEY', 'EXPIRES', 'LAST USED'], ...list.map((k) => [k.id, k.name, k.permission, k.masked, k.expiresAt ?? 'never', k.lastUsedAt ?? '-'])]));
  });
keys
  .command('revoke')
  .argument('<keyId>', 'key id (key_…)')
  .action(async (keyId: string) => {
    await withCtx((ctx) => revokeApiKey(ctx, keyId, 'cli'));
    process.stdout.write(`Revoked ${keyId}\n`);
  });

/** All of standard input, less one trailing newline (`echo pw | vigil …`, `vigil … < file`). */
async function readStdin(): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of process.stdin) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks).toString('utf8').replace(/\r?\n$/, '');
}

const users = program.command('users').description('manage dashboard users');
users
  .command('create')
  .description('create a dashboard user (the first one becomes owner of every existing project)')
  .requiredOption('--email <email>', 'the address the user signs in with')
  .requiredOption('--password-stdin', 'read the password (at least 10 characters) from standard input')
  .option('--json', 'print JSON')
  .action(async (o: { email: string; json?: boolean }) => {
    const password = await readStdin();
    const u = await withCtx((ctx) => createUser(ctx, { email: o.email, password }));
    const owner = u.owns.length ? `, owner of ${u.owns.length} existing project${u.owns.length === 1 ? '' : 's'}` : '';
    print(!!o.json, { id: u.uuid, email: u.email, createdAt: iso(u.createdAt), ownerOf: u.owns }, () =>
      `Created user ${u.email} (${u.uuid})${owner}.\nSign in at ${loadConfig().publicUrl}/app`);
  });

const members = program.command('members').description('manage who belongs to a project');
members
  .command('add')
  .description('add an existing dashboard user to a project')
  .requiredOption('--project <uuid>', 'project uuid (proj_…)')
  .requiredOption('--email <email>', 'the user\'s email (made with `vigil users create`)')
  .requiredOption('--role <role>', 'owner or member')
  .option('--json', 'print JSON')
  .action(async (o: { project: string; email: string; role: string; json?: boolean }) => {
    const m = await withCtx((ctx) => addExistingMember(ctx, o.project, { email: o.email, role: o.role }));
    print(!!o.json, { project: m.projectUuid, user: m.uuid, email: m.email, role: m.role, since: iso(m.since) }, () => `Added ${m.email} to ${m.projectUuid} as ${m.role}`);
  });

registerImport(program, withCtx, table);

registerBackup(program);

registerProbes(program, withCtx, table);

try {
  await program.parseAsync(process.argv);
} catch (err) {
  if (err instanceof CommanderError) {
    process.exit(err.exitCode);
  }
  const known = err instanceof ConfigError || err instanceof DomainError || err instanceof StoreError;
  const message = known ? (err as Error).message : `unexpected error: ${(err as Error)?.stack ?? err}`;
  process.stderr.write(`vigil: ${message.split('\n')[0]}\n`);
  if (!known) process.stderr.write(`${(err as Error)?.stack ?? ''}\n`);
  process.exit(1);
}
