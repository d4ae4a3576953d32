import fs from 'node:fs';
import { createRequire } from 'node:module';
import { Command, CommanderError } from 'commander';
import { ConfigError, SERVER_VARIABLES, loadConfig } from '../config.ts';
import { DomainError } from '../domain/errors.ts';
import { StoreError, databaseUnavailable, sqliteFile } from '../storage/store.ts';
import { isLocked } from '../storage/lock-wait.ts';
import {
  createProject,
  existingUser,
  findProject,
  listProjects,
  setProjectQuorum,
  type Project,
} from '../services/projects.ts';
import { parseQuorum } from '../domain/quorum.ts';
import { addExistingMember } from '../services/members.ts';
import { createApiKey, listApiKeys, revokeApiKey } from '../services/api-keys.ts';
import { iso, type Ctx } from '../services/context.ts';
import { createUser, listUsers, resetPassword } from '../services/users.ts';
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

const { version } = createRequire(import.meta.url)('../../package.json') as { version: string };

/**
 * Runs one command against the database, closing it afterwards. Only `creates` commands may
 * start a new SQLite database (and say so); the others name the folder they looked in.
 */
async function withCtx<T>(fn: (ctx: Ctx) => Promise<T>, opts: { creates?: boolean } = {}): Promise<T> {
  const { openContext } = await import('../main.ts');
  const config = loadConfig();
  const file = sqliteFile(config.dataDir);
  const fresh = config.databaseUrl === null && !fs.existsSync(file);
  if (fresh && !opts.creates) {
    throw new ConfigError(
      `no Vigil database in ${config.dataDir} (VIGIL_DATA_DIR): run this where vigil serve runs, with the same VIGIL_DATA_DIR or DATABASE_URL`,
    );
  }
  if (fresh) process.stderr.write(`vigil: making a new database at ${file} (VIGIL_DATA_DIR)\n`);
  const ctx = await openContext(config, quiet);
  try {
    return await fn(ctx);
  } finally {
    await ctx.store.close();
  }
}

function table(rows: string[][]): string {
  const widths = rows[0].map((_, i) => Math.max(...rows.map((r) => r[i].length)));
  return rows
    .map((r) =>
      r
        .map((c, i) => c.padEnd(widths[i]))
        .join('  ')
        .trimEnd(),
    )
    .join('\n');
}

/** A project by uuid or by its name when unique (--project). */
const projectUuid = async (ctx: Ctx, ref: string) => (await findProject(ctx, ref)).uuid;
const PROJECT = ['--project <project>', 'project uuid (proj_…), or its name when no other project has it'] as const;

const program = new Command('vigil')
  .description('Vigil: self-hosted uptime monitoring with a Hyperping-compatible API')
  .version(version, '-V, --version', 'print the version')
  .showHelpAfterError(false)
  .exitOverride();

const width = Math.max(...SERVER_VARIABLES.map(([n]) => n.length));
const SERVE_HELP = `\nEnvironment variables (a bad value stops start-up naming the variable; docs/configuration.md says more):\n${SERVER_VARIABLES.map(
  ([name, fallback, meaning]) => `  ${name.padEnd(width)}  ${meaning} (default ${fallback})`,
).join('\n')}\n`;

program
  .command('serve')
  .description('start the server (API, scheduler, probes); what `npm start` runs')
  .addHelpText('after', SERVE_HELP)
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
  .option('--owner <email>', "an existing dashboard user who becomes the project's owner")
  .option('--json', 'print JSON')
  .action(async (o: { name: string; owner?: string; json?: boolean }) => {
    if (o.owner === undefined) {
      const p = await withCtx((ctx) => createProject(ctx, o.name), { creates: true });
      return print(!!o.json, projectJson(p), () => `Created project ${p.uuid} "${p.name}"`);
    }
    const [p, owner] = await withCtx(
      async (ctx) => {
        const made = await createProject(ctx, o.name, { ownerEmail: o.owner });
        return [made, await existingUser(ctx, o.owner!)] as const;
      },
      { creates: true },
    );
    print(
      !!o.json,
      { ...projectJson(p), owner: { id: owner.uuid, email: owner.email } },
      () => `Created project ${p.uuid} "${p.name}", owned by ${owner.email}`,
    );
  });
projects
  .command('list')
  .option('--json', 'print JSON')
  .action(async (o: { json?: boolean }) => {
    const list = await withCtx((ctx) => listProjects(ctx));
    print(!!o.json, list.map(projectJson), () =>
      table([['UUID', 'NAME', 'CREATED'], ...list.map((p) => [p.uuid, p.name, iso(p.created_at)])]),
    );
  });
projects
  .command('set')
  .requiredOption(...PROJECT)
  .requiredOption(
    '--quorum <n>',
    'regions that must agree before a monitor goes down or up: a number (2-18) or "majority"',
  )
  .option('--json', 'print JSON')
  .action(async (o: { project: string; quorum: string; json?: boolean }) => {
    const quorum = parseQuorum(o.quorum);
    const p = await withCtx(async (ctx) => setProjectQuorum(ctx, await projectUuid(ctx, o.project), quorum));
    print(
      !!o.json,
      { ...projectJson(p), quorum: p.quorum ?? 'majority' },
      () => `Project ${p.uuid}: quorum ${p.quorum ?? 'majority'}`,
    );
  });

const keys = program.command('keys').description('manage API keys');
keys
  .command('create')
  .requiredOption(...PROJECT)
  .requiredOption('--name <name>', 'a label such as "Production"')
  .requiredOption('--permission <permission>', 'read_write or read_only')
  .option('--expires <date>', 'ISO 8601 date (expires 00:00 UTC that day), date-time, or "never"', 'never')
  .option('--json', 'print JSON')
  .action(async (o: { project: string; name: string; permission: string; expires: string; json?: boolean }) => {
    // A key of the CLI has no maker (only owners revoke it in the dashboard).
    const {
      createdBy: _by,
      createdByEmail: _email,
      ...k
    } = await withCtx(async (ctx) =>
      createApiKey(ctx, {
        projectUuid: await projectUuid(ctx, o.project),
        name: o.name,
        permission: o.permission,
        expires: o.expires,
        actor: 'cli',
      }),
    );
    print(
      !!o.json,
      k,
      () =>
        `Created API key ${k.id} "${k.name}" (${k.permission}, expires ${k.expiresAt ?? 'never'}).\n\n  ${k.key}\n\nStore it now: it is shown only once.`,
    );
  });
keys
  .command('list')
  .requiredOption(...PROJECT)
  .option('--json', 'print JSON')
  .action(async (o: { project: string; json?: boolean }) => {
    // createdBy: the email of the dashboard user who made the key; null for the CLI's.
    const list = (await withCtx(async (ctx) => listApiKeys(ctx, await projectUuid(ctx, o.project)))).map(
      ({ createdBy: _id, createdByEmail, ...k }) => ({ ...k, createdBy: createdByEmail }),
    );
    print(!!o.json, list, () =>
      table([
        ['ID', 'NAME', 'PERMISSION', 'KEY', 'EXPIRES', 'LAST USED'],
        ...list.map((k) => [k.id, k.name, k.permission, k.masked, k.expiresAt ?? 'never', k.lastUsedAt ?? '-']),
      ]),
    );
  });
keys
  .command('revoke')
  .argument('<keyId>', 'key id (key_…)')
  .action(async (keyId: string) => {
    await withCtx((ctx) => revokeApiKey(ctx, keyId, 'cli'));
    process.stdout.write(`Revoked ${keyId}\n`);
  });

/** Where people sign in: VIGIL_PUBLIC_URL, or http://localhost:VIGIL_PORT (then said so, as it may not be the address people use). */
function signInAddress(): string {
  const config = loadConfig();
  const url = `${config.publicUrl}/app`;
  return config.publicUrlFromPort
    ? `${url} (from VIGIL_PORT; set VIGIL_PUBLIC_URL to the address people reach Vigil at)`
    : url;
}

/** All of standard input, less one trailing newline (`echo pw | vigil …`, `vigil … < file`). */
async function readStdin(): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of process.stdin) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks)
    .toString('utf8')
    .replace(/\r?\n$/, '');
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
    const u = await withCtx((ctx) => createUser(ctx, { email: o.email, password }), { creates: true });
    const owner = u.owns.length ? `, owner of ${u.owns.length} existing project${u.owns.length === 1 ? '' : 's'}` : '';
    print(
      !!o.json,
      { id: u.uuid, email: u.email, createdAt: iso(u.createdAt), ownerOf: u.owns },
      () => `Created user ${u.email} (${u.uuid})${owner}.\nSign in at ${signInAddress()}`,
    );
  });
users
  .command('list')
  .description('every dashboard user, with how many projects each belongs to')
  .option('--json', 'print JSON')
  .action(async (o: { json?: boolean }) => {
    const list = await withCtx((ctx) => listUsers(ctx));
    print(
      !!o.json,
      list.map((u) => ({ id: u.uuid, email: u.email, createdAt: iso(u.createdAt), projects: u.projects })),
      () =>
        table([
          ['ID', 'EMAIL', 'CREATED', 'PROJECTS'],
          ...list.map((u) => [u.uuid, u.email, iso(u.createdAt), String(u.projects)]),
        ]),
    );
  });
users
  .command('reset-password')
  .description(
    "the way back in: set a user's password (a forgotten one) and/or turn off their two-factor sign-in (a lost phone); signs them out everywhere",
  )
  .requiredOption('--email <email>', 'the address the user signs in with')
  .option('--password-stdin', 'read the new password (at least 10 characters) from standard input')
  .option('--disable-2fa', 'turn off two-factor sign-in: they sign in with the password alone, and may set it up again')
  .option('--json', 'print JSON')
  .action(async (o: { email: string; passwordStdin?: boolean; disable2fa?: boolean; json?: boolean }) => {
    if (!o.passwordStdin && !o.disable2fa)
      throw new ConfigError('reset-password needs --password-stdin, --disable-2fa, or both');
    const password = o.passwordStdin ? await readStdin() : undefined;
    const u = await withCtx((ctx) => resetPassword(ctx, o.email, { password, disableTwoFactor: !!o.disable2fa }));
    const done = [
      password !== undefined ? 'Set a new password' : '',
      o.disable2fa
        ? u.twoFactorDisabled
          ? 'turned off two-factor sign-in'
          : 'two-factor sign-in was already off'
        : '',
    ]
      .filter(Boolean)
      .join(' and ')
      .replace(/^t/, 'T');
    print(
      !!o.json,
      {
        id: u.uuid,
        email: u.email,
        sessionsEnded: u.sessionsEnded,
        ...(o.disable2fa ? { twoFactorDisabled: u.twoFactorDisabled } : {}),
      },
      () =>
        `${done} for ${u.email}; ${u.sessionsEnded} session${u.sessionsEnded === 1 ? '' : 's'} ended.\nSign in at ${signInAddress()}`,
    );
  });

const members = program.command('members').description('manage who belongs to a project');
members
  .command('add')
  .description('add an existing dashboard user to a project')
  .requiredOption(...PROJECT)
  .requiredOption('--email <email>', "the user's email (made with `vigil users create`)")
  .requiredOption('--role <role>', 'owner or member')
  .option('--json', 'print JSON')
  .action(async (o: { project: string; email: string; role: string; json?: boolean }) => {
    const m = await withCtx(async (ctx) =>
      addExistingMember(ctx, await projectUuid(ctx, o.project), { email: o.email, role: o.role }),
    );
    print(
      !!o.json,
      { project: m.projectUuid, user: m.uuid, email: m.email, role: m.role, since: iso(m.since) },
      () => `Added ${m.email} to ${m.projectUuid} as ${m.role}`,
    );
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
  // A database another process keeps locked is the environment's state, not a bug: one line.
  const down = isLocked(err) ? databaseUnavailable(err) : null;
  const known = err instanceof ConfigError || err instanceof DomainError || err instanceof StoreError || !!down;
  const message = down
    ? `${down}; retry later`
    : known
      ? (err as Error).message
      : `unexpected error: ${(err as Error)?.stack ?? err}`;
  process.stderr.write(`vigil: ${message.split('\n')[0]}\n`);
  if (!known) process.stderr.write(`${(err as Error)?.stack ?? ''}\n`);
  process.exit(1);
}
