import fs from 'node:fs';
import type { Command } from 'commander';
import pino from 'pino';
import type { Ctx } from '../services/context.ts';
import { createProbe, listProbes, revokeProbe } from '../services/probes.ts';
import { findProject } from '../services/projects.ts';
import { parseRegion } from '../domain/probes.ts';
import { ConfigError, loadConfig } from '../config.ts';
import { loadTargetPolicy } from '../egress/policy.ts';

type WithCtx = <T>(fn: (ctx: Ctx) => Promise<T>) => Promise<T>;

const print = (json: boolean, value: unknown, human: () => string) =>
  process.stdout.write(json ? `${JSON.stringify(value, null, 2)}\n` : `${human()}\n`);

/** `vigil probes create|list|revoke` (tokens) and `vigil probe` (the regional worker). */
export function registerProbes(program: Command, withCtx: WithCtx, table: (rows: string[][]) => string) {
  const probes = program.command('probes').description('manage regional probe tokens');
  probes
    .command('create')
    .description('mint a probe token for one region (shown once)')
    .requiredOption('--project <project>', 'project uuid (proj_…), or its name when no other project has it')
    .requiredOption('--region <region>', 'one of the 18 monitor regions, e.g. frankfurt')
    .option('--name <name>', 'a label (default: the region)')
    .option('--json', 'print JSON')
    .action(async (o: { project: string; region: string; name?: string; json?: boolean }) => {
      const p = await withCtx(async (ctx) =>
        createProbe(ctx, {
          projectUuid: (await findProject(ctx, o.project)).uuid,
          region: o.region,
          name: o.name,
          actor: 'cli',
        }),
      );
      print(
        !!o.json,
        p,
        () =>
          `Created probe ${p.id} "${p.name}" for ${p.region}.\n\n  ${p.token}\n\nStore it now: it is shown only once. Start the worker with:\n\n  vigil probe --server URL --token ${p.token.slice(0, 3)}… --region ${p.region}`,
      );
    });
  probes
    .command('list')
    .requiredOption('--project <project>', 'project uuid (proj_…), or its name when no other project has it')
    .option('--json', 'print JSON')
    .action(async (o: { project: string; json?: boolean }) => {
      const live = loadConfig().probeLiveSeconds * 1000;
      const list = await withCtx(async (ctx) => listProbes(ctx, (await findProject(ctx, o.project)).uuid, live));
      print(!!o.json, list, () =>
        table([
          ['ID', 'NAME', 'REGION', 'TOKEN', 'LAST SEEN', 'LIVE'],
          ...list.map((p) => [p.id, p.name, p.region, p.masked, p.lastSeenAt ?? 'never', p.live ? 'yes' : 'no']),
        ]),
      );
    });
  probes
    .command('revoke')
    .argument('<probeId>', 'probe id (probe_…)')
    .action(async (id: string) => {
      await withCtx((ctx) => revokeProbe(ctx, id, 'cli'));
      process.stdout.write(`Revoked ${id}\n`);
    });

  program
    .command('probe')
    .description(
      "run a regional probe worker: lease the region's checks from a Vigil server, run them, post the results",
    )
    .requiredOption('--server <url>', 'the Vigil server, e.g. https://vigil.example.com')
    .option('--token <token>', 'probe token (pt_…); default VIGIL_PROBE_TOKEN')
    .requiredOption('--region <region>', 'the region of the token')
    .option('--concurrency <n>', 'checks in flight at most', '200')
    .action(async (o: { server: string; token?: string; region: string; concurrency: string }) => {
      const token = o.token ?? process.env.VIGIL_PROBE_TOKEN;
      if (!token) throw new ConfigError('a probe token is needed: --token pt_… or VIGIL_PROBE_TOKEN');
      try {
        const u = new URL(o.server);
        if (u.protocol !== 'http:' && u.protocol !== 'https:') throw new Error();
      } catch {
        throw new ConfigError(`--server must be an http(s) URL, got "${o.server}"`);
      }
      const region = parseRegion(o.region);
      const concurrency = Number(o.concurrency);
      if (!Number.isInteger(concurrency) || concurrency < 1 || concurrency > 100_000)
        throw new ConfigError('--concurrency must be a whole number from 1 to 100000');
      let policy: ReturnType<typeof loadTargetPolicy>;
      try {
        policy = loadTargetPolicy(process.env);
      } catch (err) {
        throw new ConfigError((err as Error).message);
      }
      const ca = process.env.VIGIL_TLS_CA_FILE ? fs.readFileSync(process.env.VIGIL_TLS_CA_FILE) : undefined;
      const log = pino({ level: process.env.VIGIL_LOG_LEVEL || 'info' });
      const { runCheck } = await import('../prober/probe.ts');
      const { startProbeWorker } = await import('../prober/remote.ts');
      const worker = startProbeWorker({
        server: o.server,
        token,
        region,
        log,
        concurrency,
        pollMs: process.env.VIGIL_PROBE_POLL_MS ? Number(process.env.VIGIL_PROBE_POLL_MS) : undefined,
        check: (target, signal) => runCheck(target, { signal, policy, ca }),
      });
      const stop = async (signal: string) => {
        log.info({ signal }, 'probe stopping');
        await worker.stop();
        process.exit(0);
      };
      process.once('SIGTERM', () => void stop('SIGTERM'));
      process.once('SIGINT', () => void stop('SIGINT'));
      if ((await worker.done) === 'stopped') return;
      process.stderr.write('vigil: the server refused the probe token\n');
      process.exit(1);
    });
}
