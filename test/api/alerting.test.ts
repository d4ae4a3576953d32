import { after, before, beforeEach, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { expectStatus, startHarness, type Harness } from '../harness.ts';
import { walkDueAlerts } from '../../src/services/alerting.ts';
import { recordPing, sweepOverdueHealthchecks } from '../../src/services/healthchecks.ts';
import { goDown, goUp, monitorId, outbox } from '../support/alerting.ts';
import { openStore } from '../../src/storage/store.ts';

let h: Harness;
// The escalation clock is the injected one: steps come due when the test moves it.
let now = Date.parse('2026-03-01T12:00:00Z');
const MIN = 60_000;
before(async () => {
  h = await startHarness({ clock: () => now });
});
after(async () => {
  await h.stop();
});

let chans: Record<'a' | 'b' | 'c', { uuid: string; id: number }>;
beforeEach(async () => {
  // Fresh channels each test, so counting rows per channel counts this test's alerts only.
  const mk = async (name: string) => {
    const res = await h.request('POST', '/v1/integrations', {
      body: { name, type: 'webhook', settings: { url: `https://hooks.example/${name}` } },
    });
    assert.equal(res.status, 201, JSON.stringify(res.body));
    const row = await h.ctx.store.db
      .selectFrom('notification_channels')
      .select('id')
      .where('uuid', '=', res.body.uuid)
      .executeTakeFirstOrThrow();
    return { uuid: res.body.uuid as string, id: row.id };
  };
  chans = { a: await mk('a'), b: await mk('b'), c: await mk('c') };
});

async function policy(
  steps: { delayMinutes: number; integrations?: string[]; emails?: string[] }[],
  extra: Record<string, unknown> = {},
) {
  const res = await h.request('POST', '/v1/escalation-policies', { body: { name: 'on call', steps, ...extra } });
  assert.equal(res.status, 201, JSON.stringify(res.body));
  return res.body as { uuid: string; name: string };
}

async function monitor(body: Record<string, unknown> = {}) {
  const res = await h.request('POST', '/v1/monitors', {
    body: { name: 'web', url: 'https://web.example', paused: true, ...body },
  });
  assert.equal(res.status, 201, JSON.stringify(res.body));
  return { uuid: res.body.uuid as string, id: await monitorId(h, res.body.uuid) };
}

/** What was queued for channel `k` so far: [event, step] pairs. */
async function sent(k: 'a' | 'b' | 'c') {
  return (await outbox(h.ctx))
    .filter((r) => r.channel_id === chans[k].id)
    .map((r) => `${r.event}${r.step === null ? '' : `#${r.step}`}`);
}

const outageOf = async (monitor: { id: number }) =>
  await h.ctx.store.db
    .selectFrom('outages')
    .select(['uuid', 'id'])
    .where('monitor_id', '=', monitor.id)
    .orderBy('id', 'desc')
    .executeTakeFirstOrThrow();

describe('escalation policies and integrations API', () => {
  test('a monitor links a policy by uuid, reads it as {uuid,name}, and "none" unlinks; an unknown uuid is 422', async () => {
    const p = await policy([{ delayMinutes: 0, integrations: [chans.a.uuid] }]);
    const m = await monitor({ escalation_policy: p.uuid });
    const read = await h.request('GET', `/v1/monitors/${m.uuid}`);
    assert.deepEqual(read.body.escalation_policy, { uuid: p.uuid, name: 'on call' });
    assert.deepEqual(
      (await h.request('GET', '/v1/monitors')).body.find((x: any) => x.uuid === m.uuid).escalation_policy,
      { uuid: p.uuid, name: 'on call' },
    );
    const unlinked = await h.request('PUT', `/v1/monitors/${m.uuid}`, { body: { escalation_policy: 'none' } });
    assert.equal(unlinked.body.escalation_policy, null);
    for (const bad of [
      'esc_DoesNotExist00',
      (
        await expectStatus(
          201,
          h.request('POST', '/v1/escalation-policies', {
            key: h.other.rw,
            body: { name: 'theirs', steps: [{ delayMinutes: 0, emails: ['x@example.org'] }] },
          }),
        )
      ).body.uuid,
    ]) {
      const res = await h.request('PUT', `/v1/monitors/${m.uuid}`, { body: { escalation_policy: bad } });
      assert.equal(res.status, 422);
      assert.deepEqual(res.body, { message: 'Escalation policy not found' });
    }
    assert.equal(
      (await h.request('PUT', `/v1/monitors/${m.uuid}`, { body: { name: 'renamed' } })).body.escalation_policy,
      null,
      'absent leaves it',
    );
  });

  test('a healthcheck links a policy; its escalationPolicy counts the steps alerted for its ongoing outage', async () => {
    const p = await policy([
      { delayMinutes: 0, integrations: [chans.a.uuid] },
      { delayMinutes: 30, integrations: [chans.b.uuid] },
    ]);
    const created = await h.request('POST', '/v2/healthchecks', {
      body: {
        name: 'backup',
        period_value: 1,
        period_type: 'hours',
        grace_period_value: 5,
        grace_period_type: 'minutes',
        escalation_policy: p.uuid,
      },
    });
    assert.equal(created.status, 201, JSON.stringify(created.body));
    const uuid = created.body.healthcheck.uuid;
    assert.deepEqual(created.body.healthcheck.escalationPolicy, {
      uuid: p.uuid,
      name: 'on call',
      alertedSteps: 0,
      totalSteps: 2,
    });
    assert.equal(await recordPing(h.ctx, uuid, { kind: 'fail', sourceIp: null, userAgent: null, body: null }), true);
    assert.deepEqual(await sent('a'), ['outage.down#0'], 'a failure ping alerts in its commit');
    assert.deepEqual((await h.request('GET', `/v2/healthchecks/${uuid}`)).body.healthcheck.escalationPolicy, {
      uuid: p.uuid,
      name: 'on call',
      alertedSteps: 1,
      totalSteps: 2,
    });
    now += MIN;
    await recordPing(h.ctx, uuid, { kind: 'success', sourceIp: null, userAgent: null, body: null });
    assert.deepEqual(await sent('a'), ['outage.down#0', 'outage.up']);
    assert.deepEqual(await sent('b'), [], 'never alerted, so not told of the recovery');
    assert.equal(
      (await h.request('PUT', `/v2/healthchecks/${uuid}`, { body: { escalation_policy: 'esc_Unknown0000000' } }))
        .status,
      422,
    );
    await h.request('PUT', `/v2/healthchecks/${uuid}`, { body: { escalation_policy: '' } });
    assert.equal((await h.request('GET', `/v2/healthchecks/${uuid}`)).body.healthcheck.escalationPolicy, null);
  });

  test('an overdue heartbeat alerts the project default policy when it links none', async () => {
    await policy([{ delayMinutes: 0, integrations: [chans.c.uuid] }], { isDefault: true });
    const uuid = (
      await h.request('POST', '/v2/healthchecks', {
        body: {
          name: 'cron',
          period_value: 1,
          period_type: 'minutes',
          grace_period_value: 1,
          grace_period_type: 'minutes',
        },
      })
    ).body.healthcheck.uuid;
    await recordPing(h.ctx, uuid, { kind: 'success', sourceIp: null, userAgent: null, body: null });
    now += 3 * MIN;
    assert.ok((await sweepOverdueHealthchecks(h.ctx)) >= 1);
    assert.deepEqual(await sent('c'), ['outage.down#0']);
    // A new default that alerts nobody, for the tests that follow.
    assert.equal(
      (
        await h.request('POST', '/v1/escalation-policies', {
          body: { name: 'not default', steps: [{ delayMinutes: 0, emails: ['x@example.org'] }], isDefault: true },
        })
      ).status,
      201,
    );
  });

  test('pings of one group alert each check by its own policy, else the project default, in their commit', async () => {
    await policy([{ delayMinutes: 0, integrations: [chans.c.uuid] }], { isDefault: true });
    const own = await policy([{ delayMinutes: 0, integrations: [chans.a.uuid] }]);
    const mk = async (extra: Record<string, unknown>) =>
      (
        await h.request('POST', '/v2/healthchecks', {
          body: {
            name: 'job',
            period_value: 1,
            period_type: 'hours',
            grace_period_value: 5,
            grace_period_type: 'minutes',
            ...extra,
          },
        })
      ).body.healthcheck.uuid as string;
    const [plain, linked] = [await mk({}), await mk({ escalation_policy: own.uuid })];
    const ping = (uuid: string, kind: 'fail' | 'success') =>
      recordPing(h.ctx, uuid, { kind, sourceIp: null, userAgent: null, body: null });
    // Submitted in one turn of the event loop: one group.
    assert.deepEqual(await Promise.all([ping(plain, 'fail'), ping(linked, 'fail')]), [true, true]);
    assert.deepEqual(await sent('c'), ['outage.down#0'], 'the default policy, for the check that links none');
    assert.deepEqual(await sent('a'), ['outage.down#0'], "the check's own policy");
    now += MIN;
    await Promise.all([ping(plain, 'success'), ping(linked, 'success')]);
    assert.deepEqual(await sent('c'), ['outage.down#0', 'outage.up']);
    assert.deepEqual(await sent('a'), ['outage.down#0', 'outage.up']);
    // A default that alerts nobody again, for the tests that follow.
    await policy([{ delayMinutes: 0, emails: ['x@example.org'] }], { isDefault: true });
  });

  test('policies: steps run in order, name integrations of the project, and one default per project', async () => {
    const bad = [
      [{ name: 'x', steps: [] }, /steps/],
      [
        {
          name: 'x',
          steps: [
            { delayMinutes: 10, integrations: [chans.a.uuid] },
            { delayMinutes: 5, integrations: [chans.b.uuid] },
          ],
        },
        /steps\[1\]\.delayMinutes must not be less/,
      ],
      [
        { name: 'x', steps: [{ delayMinutes: 0, integrations: ['int_Nope0000000000'] }] },
        /Integration int_Nope0000000000 does not exist/,
      ],
      [{ name: 'x', steps: [{ delayMinutes: 0 }] }, /must name at least one integration or email/],
      [{ name: 'x', steps: [{ delayMinutes: 0, emails: ['nope'] }] }, /is not an email address/],
    ] as const;
    for (const [body, message] of bad) {
      const res = await h.request('POST', '/v1/escalation-policies', { body });
      assert.equal(res.status, 422, JSON.stringify(body));
      assert.match(res.body.message, message);
    }
    const one = await policy([{ delayMinutes: 0, integrations: [chans.a.uuid] }], { isDefault: true });
    const two = await policy([{ delayMinutes: 0, integrations: [chans.b.uuid] }], { isDefault: true });
    const list = (await h.request('GET', '/v1/escalation-policies')).body;
    assert.deepEqual(
      list.filter((p: any) => p.isDefault).map((p: any) => p.uuid),
      [two.uuid],
    );
    const put = await h.request('PUT', `/v1/escalation-policies/${one.uuid}`, { body: { name: 'renamed' } });
    assert.equal(put.status, 200);
    assert.deepEqual(put.body.steps, [{ delayMinutes: 0, integrations: [chans.a.uuid], emails: [] }]);
    const m = await monitor({ escalation_policy: one.uuid });
    assert.equal((await h.request('DELETE', `/v1/escalation-policies/${one.uuid}`)).status, 204);
    assert.equal(
      (await h.request('GET', `/v1/monitors/${m.uuid}`)).body.escalation_policy,
      null,
      'deleting a policy unlinks its monitors',
    );
    assert.equal((await h.request('DELETE', `/v1/escalation-policies/${two.uuid}`)).status, 204);
  });

  test('MCP lists and reads escalation policies and integrations', async () => {
    const p = await policy([
      { delayMinutes: 0, integrations: [chans.a.uuid] },
      { delayMinutes: 10, emails: ['boss@example.org'] },
    ]);
    const init = await h.request('POST', '/v1/mcp', {
      body: {
        jsonrpc: '2.0',
        id: 1,
        method: 'initialize',
        params: { protocolVersion: '2025-03-26', capabilities: {}, clientInfo: { name: 't', version: '1' } },
      },
    });
    const session = init.headers.get('mcp-session-id')!;
    const call = async (name: string, args: Record<string, unknown> = {}) => {
      const res = await h.request('POST', '/v1/mcp', {
        headers: { 'mcp-session-id': session },
        body: { jsonrpc: '2.0', id: 2, method: 'tools/call', params: { name, arguments: args } },
      });
      return JSON.parse(res.body.result.content[0].text);
    };
    const policies = await call('list_escalation_policies');
    assert.ok(policies.some((x: any) => x.uuid === p.uuid));
    assert.deepEqual(await call('get_escalation_policy', { uuid: p.uuid }), {
      uuid: p.uuid,
      name: 'on call',
      team: null,
      isDefault: false,
      steps: [
        { delay: 0, target_type: 'integration', target_id: chans.a.uuid },
        { delay: 10, target_type: 'user', target_id: 'boss@example.org' },
      ],
    });
    const integrations = await call('list_integrations');
    assert.ok(integrations.some((x: any) => x.uuid === chans.a.uuid && x.type === 'webhook' && x.name === 'a'));
    const one = await call('get_integration', { uuid: chans.b.uuid });
    assert.equal(one.uuid, chans.b.uuid);
    assert.match(one.secret, /^whsec_…/, 'secrets masked');
  });
});

describe('alert rules', () => {
  test('a policy walks its steps from the outage start; acknowledging stops the walk; recovery tells only who was alerted', async () => {
    const p = await policy([
      { delayMinutes: 0, integrations: [chans.a.uuid] },
      { delayMinutes: 5, integrations: [chans.b.uuid] },
      { delayMinutes: 15, integrations: [chans.c.uuid] },
    ]);
    const m = await monitor({ escalation_policy: p.uuid });
    const start = now;
    await goDown(h.ctx, m.id, start);
    assert.deepEqual(await sent('a'), ['outage.down#0'], "step 1 in the transition's commit");
    now = start + 4 * MIN;
    await walkDueAlerts(h.ctx);
    assert.deepEqual(await sent('b'), [], 'not before its delay');
    now = start + 5 * MIN;
    await walkDueAlerts(h.ctx);
    await walkDueAlerts(h.ctx);
    assert.deepEqual(await sent('b'), ['outage.down#1'], 'once, however often the walk runs');
    const o = await outageOf(m);
    const read = (await h.request('GET', `/v2/outages/${o.uuid}`)).body.outage;
    assert.deepEqual(read.escalationPolicy, { uuid: p.uuid, name: 'on call', alertedSteps: 2, totalSteps: 3 });
    assert.deepEqual(
      read.alertedChannels.map((c: any) => [c.name, c.event, c.step, c.status]),
      [
        ['a', 'outage.down', 1, 'pending'],
        ['b', 'outage.down', 2, 'pending'],
      ],
    );
    assert.equal((await h.request('POST', `/v2/outages/${o.uuid}/acknowledge`)).status, 200);
    now = start + 30 * MIN;
    await walkDueAlerts(h.ctx);
    assert.deepEqual(await sent('c'), [], 'acknowledged: the walk stops');
    assert.deepEqual(await sent('a'), ['outage.down#0', 'outage.acknowledged']);
    await goUp(h.ctx, m.id, now);
    assert.deepEqual(await sent('a'), ['outage.down#0', 'outage.acknowledged', 'outage.up']);
    assert.deepEqual(await sent('b'), ['outage.down#1', 'outage.acknowledged', 'outage.up']);
    assert.deepEqual(await sent('c'), []);
  });

  test('escalate jumps to the next step now; resolving stops the walk and sends the recovery', async () => {
    const p = await policy([
      { delayMinutes: 0, integrations: [chans.a.uuid] },
      { delayMinutes: 30, integrations: [chans.b.uuid] },
      { delayMinutes: 60, integrations: [chans.c.uuid] },
    ]);
    const m = await monitor({ escalation_policy: p.uuid });
    const start = now;
    await goDown(h.ctx, m.id, start);
    const o = await outageOf(m);
    now = start + 2 * MIN;
    assert.equal((await h.request('POST', `/v2/outages/${o.uuid}/escalate`)).status, 200);
    assert.deepEqual(await sent('b'), ['outage.down#1'], 'step 2 at once, not at 30 min');
    assert.equal((await h.request('GET', `/v2/outages/${o.uuid}`)).body.outage.escalationPolicy.alertedSteps, 2);
    assert.equal((await h.request('POST', `/v2/outages/${o.uuid}/resolve`)).status, 200);
    now = start + 90 * MIN;
    await walkDueAlerts(h.ctx);
    assert.deepEqual(await sent('c'), [], 'resolved: nothing more');
    assert.deepEqual(await sent('a'), ['outage.down#0', 'outage.up']);
    assert.deepEqual(await sent('b'), ['outage.down#1', 'outage.up']);
  });

  test('SECURITY 25: one transient failure alerts nobody; an outage gives exactly one DOWN and one UP however long it lasts', async () => {
    const p = await policy([{ delayMinutes: 0, integrations: [chans.a.uuid] }]);
    const m = await monitor({ escalation_policy: p.uuid });
    const { recordResults } = await import('../../src/services/results.ts');
    const check = (at: number, ok: boolean) =>
      recordResults(h.ctx, [
        {
          monitorId: m.id,
          at,
          location: 'local',
          ok,
          statusCode: ok ? 200 : 500,
          error: ok ? null : 'boom',
          totalMs: 5,
          dnsMs: null,
          connectMs: null,
          tlsMs: null,
          ttfbMs: null,
        },
      ]);
    const t = now - 60_000; // checks report when they started: just before now
    await check(t, false);
    await check(t + 1000, true);
    assert.deepEqual(await sent('a'), [], 'a blip');
    for (let i = 0; i < 5; i++) await check(t + 10_000 + i * 1000, false);
    for (let i = 0; i < 5; i++) await check(t + 20_000 + i * 1000, true);
    assert.deepEqual(await sent('a'), ['outage.down#0', 'outage.up']);
  });

  test('alerts_wait delays the first alert; an outage that recovers first sends nothing; -1 disables alerts', async () => {
    const p = await policy([
      { delayMinutes: 0, integrations: [chans.a.uuid] },
      { delayMinutes: 2, integrations: [chans.b.uuid] },
    ]);
    const start = now;
    const waits = await monitor({ escalation_policy: p.uuid, alerts_wait: 5 });
    await goDown(h.ctx, waits.id, start);
    assert.deepEqual(await sent('a'), []);
    now = start + 3 * MIN;
    await walkDueAlerts(h.ctx);
    assert.deepEqual([...(await sent('a')), ...(await sent('b'))], [], 'no step fires before alerts_wait');
    await goUp(h.ctx, waits.id, now);
    now = start + 10 * MIN;
    await walkDueAlerts(h.ctx);
    assert.deepEqual([...(await sent('a')), ...(await sent('b'))], [], 'recovered first: no DOWN and no UP');

    const late = await monitor({ escalation_policy: p.uuid, alerts_wait: 5 });
    const start2 = now;
    await goDown(h.ctx, late.id, start2);
    now = start2 + 5 * MIN;
    await walkDueAlerts(h.ctx);
    assert.deepEqual(await sent('a'), ['outage.down#0'], 'still down after alerts_wait: alerted');

    const off = await monitor({ escalation_policy: p.uuid, alerts_wait: -1 });
    await goDown(h.ctx, off.id, now);
    now += 60 * MIN;
    await walkDueAlerts(h.ctx);
    await walkDueAlerts(h.ctx);
    const offOutage = await outageOf(off);
    assert.equal((await outbox(h.ctx)).filter((r) => r.outage_id === offOutage.id).length, 0, 'alerts_wait -1: never');
  });

  test('no alert during an ongoing maintenance window: steps wait for it to end', async () => {
    const p = await policy([{ delayMinutes: 0, integrations: [chans.a.uuid] }]);
    const m = await monitor({ escalation_policy: p.uuid, alerts_wait: 2 });
    const start = now;
    await goDown(h.ctx, m.id, start);
    const mw = await h.request('POST', '/v1/maintenance-windows', {
      body: {
        name: 'upgrade',
        start_date: new Date(start + MIN).toISOString(),
        end_date: new Date(start + 20 * MIN).toISOString(),
        monitors: [m.uuid],
      },
    });
    assert.equal(mw.status, 201, JSON.stringify(mw.body));
    now = start + 5 * MIN;
    await walkDueAlerts(h.ctx);
    assert.deepEqual(await sent('a'), [], 'the step came due inside the window');
    now = start + 20 * MIN;
    await walkDueAlerts(h.ctx);
    assert.deepEqual(await sent('a'), ['outage.down#0'], 'the window is over and the monitor still down');

    // A failure confirmed during a window opens no outage, so nothing is sent at all.
    const quiet = await monitor({ escalation_policy: p.uuid });
    assert.equal(
      (
        await h.request('POST', '/v1/maintenance-windows', {
          body: {
            name: 'q',
            start_date: new Date(now - MIN).toISOString(),
            end_date: new Date(now + 60 * MIN).toISOString(),
            monitors: [quiet.uuid],
          },
        })
      ).status,
      201,
    );
    await goDown(h.ctx, quiet.id, now);
    assert.equal(
      (await h.ctx.store.db.selectFrom('outages').select('id').where('monitor_id', '=', quiet.id).execute()).length,
      0,
    );
  });

  test('SECURITY 24: after a restart an alerted outage is not alerted again (the outage row says what was sent)', async () => {
    const p = await policy([
      { delayMinutes: 0, integrations: [chans.a.uuid] },
      { delayMinutes: 10, integrations: [chans.b.uuid] },
    ]);
    const m = await monitor({ escalation_policy: p.uuid });
    await goDown(h.ctx, m.id, now);
    // Another process on the same database: nothing in memory, only the rows.
    const store = await openStore({ databaseUrl: h.db.env.DATABASE_URL ?? null, dataDir: h.db.dataDir });
    const fresh = { ...h.ctx, store };
    try {
      await goDown(fresh, m.id, now + 60_000);
      await walkDueAlerts(fresh);
      assert.deepEqual(await sent('a'), ['outage.down#0']);
      now += 10 * MIN;
      await walkDueAlerts(fresh);
      await walkDueAlerts(h.ctx);
      assert.deepEqual(await sent('b'), ['outage.down#1'], 'and the walk goes on from where it stood, once');
    } finally {
      await store.close();
    }
  });

  test('a manual outage with a policy alerts its steps and people by email; resolving sends the recovery', async () => {
    const p = await policy([{ delayMinutes: 0, integrations: [chans.a.uuid], emails: ['oncall@example.org'] }]);
    const m = await monitor();
    const res = await h.request('POST', '/v2/outages', {
      body: {
        monitorUuid: m.uuid,
        startDate: new Date(now).toISOString(),
        statusCode: 500,
        description: 'payment provider down',
        outageType: 'manual',
        escalationPolicyUuid: p.uuid,
      },
    });
    assert.equal(res.status, 201, JSON.stringify(res.body));
    assert.deepEqual(res.body.outage.escalationPolicy, {
      uuid: p.uuid,
      name: 'on call',
      alertedSteps: 1,
      totalSteps: 1,
    });
    const id = (
      await h.ctx.store.db
        .selectFrom('outages')
        .select('id')
        .where('uuid', '=', res.body.outage.uuid)
        .executeTakeFirstOrThrow()
    ).id;
    const rows = (await outbox(h.ctx)).filter((r) => r.outage_id === id);
    assert.deepEqual(
      rows.map((r) => [r.kind, r.recipient, r.event]),
      [
        ['webhook', null, 'outage.down'],
        ['email', 'oncall@example.org', 'outage.down'],
      ],
    );
    await h.request('POST', `/v2/outages/${res.body.outage.uuid}/resolve`);
    assert.deepEqual(
      (await outbox(h.ctx))
        .filter((r) => r.outage_id === id)
        .slice(2)
        .map((r) => [r.kind, r.recipient, r.event])
        .sort(),
      [
        ['email', 'oncall@example.org', 'outage.up'],
        ['webhook', null, 'outage.up'],
      ],
    );
  });
});
