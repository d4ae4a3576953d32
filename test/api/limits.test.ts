// Per-project limits (issue 16): each kind of thing a project may hold has a configurable
// bound; past it, a create is a 422 naming the variable, and nothing is stored.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { startHarness, type Harness } from '../harness.ts';
import { createApiKey } from '../../src/services/api-keys.ts';
import { DEFAULT_LIMITS } from '../../src/domain/project-limits.ts';
import { loadConfig } from '../../src/config.ts';

let h: Harness;
before(async () => {
  h = await startHarness({
    env: {
      VIGIL_LIMIT_MONITORS: '3',
      VIGIL_LIMIT_HEALTHCHECKS: '2',
      VIGIL_LIMIT_STATUS_PAGES: '2',
      VIGIL_LIMIT_API_KEYS: '4',
      VIGIL_LIMIT_CHANNELS: '2',
      VIGIL_LIMIT_ESCALATION_POLICIES: '2',
    },
  });
});
after(async () => {
  await h.stop();
});

let n = 0;
const bodies = {
  '/v1/monitors': () => ({ name: `m${++n}`, url: 'https://example.org', paused: true }),
  '/v2/healthchecks': () => ({
    name: `h${++n}`,
    period_value: 1,
    period_type: 'hours',
    grace_period_value: 1,
    grace_period_type: 'hours',
  }),
  '/v2/statuspages': () => ({ name: `p${++n}`, subdomain: `limits-${process.pid}-${++n}` }),
  '/v1/integrations': () => ({ name: `c${++n}`, type: 'webhook', settings: { url: 'https://hooks.example.org/x' } }),
  '/v1/escalation-policies': () => ({ name: `e${++n}`, steps: [{ delayMinutes: 0, emails: ['ops@example.org'] }] }),
};
const deletes: Record<string, (body: any) => string> = {
  '/v1/monitors': (b) => `/v1/monitors/${b.uuid}`,
  '/v2/healthchecks': (b) => `/v2/healthchecks/${b.healthcheck.uuid}`,
  '/v2/statuspages': (b) => `/v2/statuspages/${b.statuspage.uuid}`,
  '/v1/integrations': (b) => `/v1/integrations/${b.uuid}`,
  '/v1/escalation-policies': (b) => `/v1/escalation-policies/${b.uuid}`,
};

describe('per-project limits', () => {
  for (const [path, variable, limit, noun] of [
    ['/v1/monitors', 'VIGIL_LIMIT_MONITORS', 3, 'monitors'],
    ['/v2/healthchecks', 'VIGIL_LIMIT_HEALTHCHECKS', 2, 'healthchecks'],
    ['/v2/statuspages', 'VIGIL_LIMIT_STATUS_PAGES', 2, 'status pages'],
    ['/v1/integrations', 'VIGIL_LIMIT_CHANNELS', 2, 'integrations'],
    ['/v1/escalation-policies', 'VIGIL_LIMIT_ESCALATION_POLICIES', 2, 'escalation policies'],
  ] as const) {
    test(`${path}: ${limit} ${noun} at most; the next is 422 naming ${variable}; a delete makes room; another project is not counted`, async () => {
      const made = [];
      for (let i = 0; i < limit; i++) {
        const res = await h.request('POST', path, { body: bodies[path]() });
        assert.equal(res.status, 201, JSON.stringify(res.body));
        made.push(res.body);
      }
      const over = await h.request('POST', path, { body: bodies[path]() });
      assert.equal(over.status, 422);
      assert.equal(
        over.body.message,
        `This project has reached its limit of ${limit} ${noun} (${variable}); delete some or raise the limit`,
      );
      assert.equal(
        (await h.request('POST', path, { key: h.other.rw, body: bodies[path]() })).status,
        201,
        'another project has its own count',
      );
      assert.ok([200, 204].includes((await h.request('DELETE', deletes[path](made[0]))).status));
      assert.equal((await h.request('POST', path, { body: bodies[path]() })).status, 201, 'room again after a delete');
    });
  }

  test('API keys: revoked keys do not count; the CLI and dashboard go through the same rule', async () => {
    // The harness made two keys (read-write and read-only) in this project.
    const make = (name: string) =>
      createApiKey(h.ctx, { projectUuid: h.project.uuid, name, permission: 'read_only', actor: 'test' });
    const third = await make('third');
    await make('fourth');
    await assert.rejects(make('fifth'), /reached its limit of 4 active API keys \(VIGIL_LIMIT_API_KEYS\)/);
    const cli = await h.cli(['keys', 'revoke', third.id]);
    assert.equal(cli.code, 0, cli.stderr);
    await make('fifth');
    const refused = await h.cli([
      'keys',
      'create',
      '--project',
      h.project.uuid,
      '--name',
      'sixth',
      '--permission',
      'read_only',
    ]);
    assert.equal(refused.code, 1);
    assert.match(refused.stderr, /reached its limit of 4 active API keys/);
  });

  test('concurrent creates never pass the limit', async () => {
    const project = (await h.request('GET', '/v1/monitors', { key: h.other.rw })).body.length;
    const answers = await Promise.all(
      Array.from({ length: 8 }, () =>
        h.request('POST', '/v1/monitors', { key: h.other.rw, body: bodies['/v1/monitors']() }),
      ),
    );
    assert.equal(answers.filter((a) => a.status === 201).length, 3 - project);
    assert.ok(answers.every((a) => a.status === 201 || a.status === 422));
    assert.equal((await h.request('GET', '/v1/monitors', { key: h.other.rw })).body.length, 3);
  });

  test('defaults, and a bad value stops start-up naming the variable', () => {
    assert.deepEqual(loadConfig({}).limits, DEFAULT_LIMITS);
    assert.throws(() => loadConfig({ VIGIL_LIMIT_MONITORS: 'many' }), /VIGIL_LIMIT_MONITORS must be a whole number/);
    assert.throws(() => loadConfig({ VIGIL_LIMIT_CHANNELS: '0' }), /VIGIL_LIMIT_CHANNELS must be between 1/);
  });
});
