import net from 'node:net';
import pino from 'pino';
import { ConfigError, loadConfig, type Config } from './config.ts';
import type { Scheduler } from './prober/scheduler.ts';
import { openStore, type Store } from './storage/store.ts';
import { retryWhileLocked } from './storage/lock-wait.ts';
import type { ApiApp } from './http/api-app.ts';
import { ensureDefaultProject } from './services/projects.ts';
import type { Ctx, Logger } from './services/context.ts';

const LOCK_WAIT = 'vigil: the database is locked by another process (a migration, a restore?); waiting for it\n';

/** Composition root for the CLI: config → store → ctx. Nothing opens a database at import time. */
export async function openContext(config: Config, log: Logger = pino({ level: config.logLevel })): Promise<Ctx> {
  const store: Store = await openStore({
    databaseUrl: config.databaseUrl,
    dataDir: config.dataDir,
    onLockWait: () => process.stderr.write(LOCK_WAIT),
  });
  return {
    store,
    clock: Date.now,
    log,
    limits: config.limits,
    publicUrl: config.publicUrl,
    emailEnabled: config.smtpUrl !== null,
  };
}

export interface Running {
  /** The configuration in force: VIGIL_PORT 0 replaced by the port taken. */
  config: Config;
  app: ApiApp | null;
  ctx: Ctx;
  url: string | null;
  engine: Scheduler | null;
  stop(): Promise<void>;
}

/** config → store → services → HTTP server. Used by `vigil serve` and by the test harness. */
/** A port free on `host` now (VIGIL_PORT 0): known before the routes are built, so links carry it. */
function freePort(host: string): Promise<number> {
  return new Promise((resolve, reject) => {
    const probe = net.createServer().once('error', reject);
    probe.listen(0, host, () => {
      const { port } = probe.address() as net.AddressInfo;
      probe.close(() => resolve(port));
    });
  });
}

export async function startServer(
  given: Config,
  ctxOverride?: Partial<Ctx> & { store?: Store },
  announce: (text: string) => void = (text) => process.stdout.write(text),
): Promise<Running> {
  let config = given;
  if (config.port === 0 && config.role !== 'worker') {
    const port = await freePort(config.host);
    config = { ...config, port, publicUrl: config.publicUrlFromPort ? `http://localhost:${port}` : config.publicUrl };
  }
  const log = pino({ level: config.logLevel });
  const onWait = () => log.warn(LOCK_WAIT.slice('vigil: '.length, -1));
  const store =
    ctxOverride?.store ??
    (await openStore({ databaseUrl: config.databaseUrl, dataDir: config.dataDir, onLockWait: onWait }));
  const ctx: Ctx = {
    store,
    clock: ctxOverride?.clock ?? Date.now,
    log: ctxOverride?.log ?? log,
    limits: config.limits,
    publicUrl: config.publicUrl,
    emailEnabled: config.smtpUrl !== null,
  };
  const created = await retryWhileLocked(() => ensureDefaultProject(ctx), { onWait });
  if (created) {
    ctx.log.info({ project: created.uuid }, 'created project "Default"');
    announce(
      `\nVigil created the project "Default" (${created.uuid}).\n` +
        `Open the dashboard at ${config.publicUrl}/app to create the first user and an API key, or create a key with:\n\n` +
        `  npx vigil keys create --project ${created.uuid} --name "First key" --permission read_write\n\n`,
    );
  }
  let app: ApiApp | null = null;
  let address: string | null = null;
  if (config.role !== 'worker') {
    const { buildApp } = await import('./http/app.ts');
    const { createTxtLookup } = await import('./prober/txt.ts');
    app = await buildApp(ctx, { ...config, txt: createTxtLookup(config.dnsServers) });
    try {
      address = await app.listen({ port: config.port, host: config.host });
    } catch (err) {
      await store.close();
      const code = (err as NodeJS.ErrnoException).code;
      if (code === 'EADDRINUSE') throw new ConfigError(`VIGIL_PORT ${config.port} is already in use on ${config.host}`);
      if (code === 'EADDRNOTAVAIL')
        throw new ConfigError(`VIGIL_HOST ${config.host} is not an address of this machine`);
      throw err;
    }
  }
  const engine = config.role === 'api' ? null : (await import('./engine.ts')).startEngine(ctx, config);
  let stopped = false;
  return {
    config,
    app,
    ctx,
    url: address,
    engine,
    async stop() {
      if (stopped) return;
      stopped = true;
      await engine?.stop();
      await app?.close();
      await store.close();
    },
  };
}

export { loadConfig };
