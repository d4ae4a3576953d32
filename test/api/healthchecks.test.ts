import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { startHarness, type Harness } from '../harness.ts';
import { applyHealthcheckInput, nextDue } from '../../src/domain/healthchecks.ts';
import { sweepOverdueHealthchecks } from '../../src/services/healthchecks.ts';
import { sql } from 'kysely';

let h: Harness;
let now = Date.now();
let frozen = false;
// Bursts of hundreds of pings per check test the group commit, not the throttle or the history bound (tested apart below).
before(async () => {
  h = await startHarness({
    clock: () => (frozen ? now : Date.now()),
    env: { VIGIL_PING_RATE_PER_MINUTE: '0', VIGIL_PING_HISTORY: '10000' },
  });
});
after(async () => {
  await h.stop();
});

const TOK = /^tok_[A-Za-z0-9]{24}$/;
const HC = /^hc_[A-Za-z0-9]{24}$/;
const period = {
  name: 'backup',
  period_value: 60,
  period_type: 'seconds',
  grace_period_value: 300,
  grace_period_type: 'seconds',
};

async function ping(token: string, suffix = '', init: RequestInit = {}) {
  const res = await fetch(`${h.url}/ping/${token}${suffix}`, init);
  return { status: res.status, text: await res.text() };
}

describe('/v2/healthchecks', () => {
  test('create, get, update, list and delete have the recorded per-endpoint shapes', async () => {
    const created = await h.request('POST', '/v2/healthchecks', { body: period });
    assert.equal(created.status, 201);
    const c = created.body.healthcheck;
    assert.match(c.uuid, TOK);
    assert.match(c.publicUuid, HC);
    const pingUrl = `${h.config.publicUrl}/ping/${c.uuid}`;
    assert.deepEqual(created.body, {
      message: 'Healthcheck created',
      healthcheck: {
        uuid: c.uuid,
        publicUuid: c.publicUuid,
        name: 'backup',
        pingUrl,
        period: 60,
        periodValue: 60,
        periodType: 'seconds',
        gracePeriod: 300,
        gracePeriodValue: 300,
        gracePeriodType: 'seconds',
        cron: null,
        timezone: 'UTC',
        tz: 'UTC',
        isPaused: false,
        escalationPolicy: null,
      },
    });
    const got = await h.request('GET', `/v2/healthchecks/${c.uuid}`);
    assert.equal(got.status, 200);
    const g = got.body.healthcheck;
    assert.deepEqual(g, {
      uuid: c.uuid,
      publicUuid: c.publicUuid,
      name: 'backup',
      cron: null,
      tz: 'UTC',
      slug: null,
      period: 60,
      periodValue: 60,
      periodType: 'seconds',
      gracePeriod: 300,
      gracePeriodValue: 300,
      gracePeriodType: 'seconds',
      createdAt: g.createdAt,
      lastPing: null,
      lastDowntime: null,
      dueDate: null,
      isDown: false,
      pingUrl,
      logs: [],
      escalationPolicy: null,
      timezone: 'UTC',
      isPaused: false,
    });
    const put = await h.request('PUT', `/v2/healthchecks/${c.uuid}`, {
      body: { name: 'nightly', grace_period_value: 2, grace_period_type: 'minutes' },
    });
    assert.equal(put.status, 200);
    assert.equal(put.body.message, 'Healthcheck updated');
    assert.equal(put.body.healthcheck.name, 'nightly');
    assert.equal(put.body.healthcheck.gracePeriod, 120);
    assert.equal(put.body.healthcheck.period, 60, 'unsent keys keep their values');
    assert.equal(put.body.healthcheck.publicUuid, c.publicUuid);
    assert.equal(put.body.healthcheck.slug, undefined);
    assert.equal(put.body.healthcheck.logs, undefined);
    const list = await h.request('GET', '/v2/healthchecks');
    assert.deepEqual(Object.keys(list.body), ['healthchecks']);
    const item = list.body.healthchecks.find((x: any) => x.uuid === c.uuid);
    assert.equal(item.publicUuid, c.publicUuid);
    assert.equal(item.lastLogStartDate, null);
    assert.equal(item.lastLogEndDate, null);
    assert.equal(item.logs, undefined);
    const del = await h.request('DELETE', `/v2/healthchecks/${c.uuid}`);
    assert.deepEqual(del.body, { message: 'Healthcheck deleted' });
    const gone = await h.request('GET', `/v2/healthchecks/${c.uuid}`);
    assert.equal(gone.status, 404);
    assert.deepEqual(gone.body, { message: 'Healthcheck not found' });
  });

  test('cron with a timezone; switching between cron and period as the Terraform provider does', async () => {
    const c = (
      await h.request('POST', '/v2/healthchecks', {
        body: {
          name: 'cron',
          cron: '30 2 * * *',
          timezone: 'Europe/Berlin',
          grace_period_value: 10,
          grace_period_type: 'minutes',
        },
      })
    ).body.healthcheck;
    assert.equal(c.cron, '30 2 * * *');
    assert.equal(c.timezone, 'Europe/Berlin');
    // period is an integer for every check (official openapi.yaml): for cron, the seconds between its next two runs.
    assert.ok([82_800, 86_400, 90_000].includes(c.period), String(c.period));
    const toPeriod = await h.request('PUT', `/v2/healthchecks/${c.uuid}`, {
      body: { cron: '', timezone: '', period_value: 1, period_type: 'hours' },
    });
    assert.equal(toPeriod.status, 200, JSON.stringify(toPeriod.body));
    assert.equal(toPeriod.body.healthcheck.cron, null);
    assert.equal(toPeriod.body.healthcheck.period, 3600);
    const toCron = await h.request('PUT', `/v2/healthchecks/${c.uuid}`, {
      body: { period_type: '', cron: '*/5 * * * *', timezone: 'UTC' },
    });
    assert.equal(toCron.status, 200, JSON.stringify(toCron.body));
    assert.equal(toCron.body.healthcheck.cron, '*/5 * * * *');
    assert.equal(toCron.body.healthcheck.periodValue, null);
    assert.equal(toCron.body.healthcheck.period, 300);
  });

  test('invalid schedules are 422 with a readable message', async () => {
    const cases: [Record<string, unknown>, RegExp][] = [
      [{ name: 'x', grace_period_value: 1, grace_period_type: 'minutes' }, /schedule is required/],
      [{ ...period, cron: '* * * * *', timezone: 'UTC' }, /not both/],
      [
        { name: 'x', cron: '61 * * * *', timezone: 'UTC', grace_period_value: 1, grace_period_type: 'minutes' },
        /Invalid cron expression/,
      ],
      [
        { name: 'x', cron: '* * * *', timezone: 'UTC', grace_period_value: 1, grace_period_type: 'minutes' },
        /5 fields/,
      ],
      [
        { name: 'x', cron: '* * * * *', timezone: 'Mars/Olympus', grace_period_value: 1, grace_period_type: 'minutes' },
        /Unknown timezone/,
      ],
      [{ ...period, period_type: 'weeks' }, /period_type must be one of/],
      [{ ...period, grace_period_value: undefined }, /grace_period_value is required/],
      [{ ...period, name: '' }, /name/],
    ];
    for (const [body, re] of cases) {
      const res = await h.request('POST', '/v2/healthchecks', { body });
      assert.equal(res.status, 422, JSON.stringify(body));
      assert.match(res.body.message, re);
    }
  });

  test('pause and resume answer {message, uuid}', async () => {
    const c = (await h.request('POST', '/v2/healthchecks', { body: period })).body.healthcheck;
    const p = await h.request('POST', `/v2/healthchecks/${c.uuid}/pause`);
    assert.deepEqual(p.body, { message: 'Healthcheck paused', uuid: c.uuid });
    assert.equal((await h.request('GET', `/v2/healthchecks/${c.uuid}`)).body.healthcheck.isPaused, true);
    const r = await h.request('POST', `/v2/healthchecks/${c.uuid}/resume`);
    assert.deepEqual(r.body, { message: 'Healthcheck resumed', uuid: c.uuid });
    assert.equal((await h.request('POST', '/v2/healthchecks/tok_AAAAAAAAAAAAAAAAAAAAAAAA/pause')).status, 404);
  });

  test('another project never sees or touches them', async () => {
    const c = (await h.request('POST', '/v2/healthchecks', { body: period })).body.healthcheck;
    assert.ok(
      !(await h.request('GET', '/v2/healthchecks', { key: h.other.rw })).body.healthchecks.some(
        (x: any) => x.uuid === c.uuid,
      ),
    );
    assert.equal((await h.request('GET', `/v2/healthchecks/${c.uuid}`, { key: h.other.rw })).status, 404);
    assert.equal((await h.request('DELETE', `/v2/healthchecks/${c.uuid}`, { key: h.other.rw })).status, 404);
  });
});

describe('pings and heartbeat status', () => {
  test('GET, HEAD and POST record a ping with source, agent and up to 10 KiB of body; unknown tokens are 404', async () => {
    const c = (await h.request('POST', '/v2/healthchecks', { body: period })).body.healthcheck;
    assert.deepEqual(await ping(c.uuid), { status: 200, text: 'OK' });
    assert.equal((await ping(c.uuid, '', { method: 'HEAD' })).status, 200);
    assert.equal(
      (await ping(c.uuid, '', { method: 'POST', body: 'x'.repeat(20_000), headers: { 'user-agent': 'backup.sh' } }))
        .status,
      200,
    );
    assert.equal((await ping('tok_AAAAAAAAAAAAAAAAAAAAAAAA')).status, 404);
    const g = (await h.request('GET', `/v2/healthchecks/${c.uuid}`)).body.healthcheck;
    assert.equal(g.logs.length, 3);
    assert.equal(g.logs[0].userAgent, 'backup.sh');
    assert.equal(g.logs[0].body.length, 10 * 1024);
    assert.equal(g.logs[0].sourceIp, '127.0.0.1');
    assert.ok(g.lastPing);
    assert.equal(Date.parse(g.dueDate) - Date.parse(g.lastPing), 60_000, 'due one period after the last ping');
  });

  test('start then success measures the run; the list shows the last run', async () => {
    const c = (await h.request('POST', '/v2/healthchecks', { body: period })).body.healthcheck;
    await ping(c.uuid, '/start');
    await new Promise((r) => setTimeout(r, 30));
    await ping(c.uuid);
    const g = (await h.request('GET', `/v2/healthchecks/${c.uuid}`)).body.healthcheck;
    assert.equal(g.logs[0].type, 'success');
    assert.ok(g.logs[0].durationMs >= 30);
    assert.equal(g.logs[1].type, 'start');
    const item = (await h.request('GET', '/v2/healthchecks')).body.healthchecks.find((x: any) => x.uuid === c.uuid);
    assert.equal(item.lastLogStartDate, g.logs[1].date);
    assert.equal(item.lastLogEndDate, g.logs[0].date);
  });

  test('a missed ping past due + grace turns the check down with an outage; the next ping ends it', async () => {
    const c = (await h.request('POST', '/v2/healthchecks', { body: { ...period, grace_period_value: 60 } })).body
      .healthcheck;
    await ping(c.uuid);
    const due = Date.parse((await h.request('GET', `/v2/healthchecks/${c.uuid}`)).body.healthcheck.dueDate);
    frozen = true;
    try {
      now = due + 59_000; // within grace
      await sweepOverdueHealthchecks(h.ctx);
      assert.equal((await h.request('GET', `/v2/healthchecks/${c.uuid}`)).body.healthcheck.isDown, false);
      now = due + 60_000; // grace over
      assert.ok((await sweepOverdueHealthchecks(h.ctx)) >= 1);
      const g = (await h.request('GET', `/v2/healthchecks/${c.uuid}`)).body.healthcheck;
      assert.equal(g.isDown, true);
      assert.equal(g.lastDowntime, new Date(due + 60_000).toISOString());
      assert.equal(await sweepOverdueHealthchecks(h.ctx), 0, 'a down check is not turned down twice');
      const outages = (await h.request('GET', '/v2/outages?status=ongoing')).body.outages.filter(
        (o: any) => o.monitor.uuid === c.uuid,
      );
      assert.equal(outages.length, 1);
      assert.equal(outages[0].description, 'no ping received in time');
      assert.equal(outages[0].protocol, 'healthcheck');
      now = due + 120_000;
      await ping(c.uuid);
      assert.equal((await h.request('GET', `/v2/healthchecks/${c.uuid}`)).body.healthcheck.isDown, false);
      const o = (await h.request('GET', `/v2/outages/${outages[0].uuid}`)).body.outage;
      assert.equal(o.endDate, new Date(due + 120_000).toISOString());
    } finally {
      frozen = false;
    }
  });

  test('/fail turns the check down at once; paused checks record pings but never go down', async () => {
    const c = (await h.request('POST', '/v2/healthchecks', { body: period })).body.healthcheck;
    await ping(c.uuid, '/fail');
    assert.equal((await h.request('GET', `/v2/healthchecks/${c.uuid}`)).body.healthcheck.isDown, true);
    await ping(c.uuid);
    assert.equal((await h.request('GET', `/v2/healthchecks/${c.uuid}`)).body.healthcheck.isDown, false);

    const p = (await h.request('POST', '/v2/healthchecks', { body: { ...period, grace_period_value: 0 } })).body
      .healthcheck;
    await ping(p.uuid);
    assert.equal((await h.request('POST', `/v2/healthchecks/${p.uuid}/pause`)).status, 200);
    await ping(p.uuid, '/fail');
    frozen = true;
    now = Date.now() + 3_600_000;
    try {
      await sweepOverdueHealthchecks(h.ctx);
    } finally {
      frozen = false;
    }
    const g = (await h.request('GET', `/v2/healthchecks/${p.uuid}`)).body.healthcheck;
    assert.equal(g.isDown, false);
    assert.equal(g.logs[0].type, 'fail', 'the ping is still recorded');
  });

  test('SECURITY 24: an overdue heartbeat turns down within seconds of a (re)start of the engine', async () => {
    const eng = await startHarness({ env: { VIGIL_ROLE: 'all' } });
    try {
      const c = (await eng.request('POST', '/v2/healthchecks', { body: { ...period, grace_period_value: 0 } })).body
        .healthcheck;
      const res = await fetch(`${eng.url}/ping/${c.uuid}`);
      assert.equal(res.status, 200);
      // as if the server had been down past the due date
      await eng.ctx.store.db
        .updateTable('healthchecks')
        .set({ due_at: Date.now() - 120_000, alert_at: Date.now() - 120_000 })
        .where('uuid', '=', c.uuid)
        .execute();
      const end = Date.now() + 5000;
      let down = false;
      while (!down && Date.now() < end) {
        down = (await eng.request('GET', `/v2/healthchecks/${c.uuid}`)).body.healthcheck.isDown;
        if (!down) await new Promise((r) => setTimeout(r, 100));
      }
      assert.equal(down, true);
    } finally {
      await eng.stop();
    }
  });
});

describe('pings under concurrency', () => {
  const cron = {
    name: 'cron job',
    cron: '*/5 * * * *',
    timezone: 'Europe/Berlin',
    grace_period_value: 2,
    grace_period_type: 'minutes',
  };

  async function storedPings(uuids: string[]) {
    return h.ctx.store.db
      .selectFrom('healthcheck_pings')
      .innerJoin('healthchecks', 'healthchecks.id', 'healthcheck_pings.healthcheck_id')
      .select([
        'healthchecks.uuid as uuid',
        'healthcheck_pings.kind as kind',
        'healthcheck_pings.at as at',
        'healthcheck_pings.user_agent as ua',
        'healthcheck_pings.duration_ms as duration',
      ])
      .where('healthchecks.uuid', 'in', uuids)
      .orderBy('healthcheck_pings.id')
      .execute();
  }

  test('500 pings at once, mixed kinds: every ping answered 200 is stored once, and each check ends as if they came one by one', async () => {
    const inputs = [period, period, cron, { ...period, name: 'paused' }];
    const checks: { uuid: string; name: string }[] = [];
    for (const input of inputs)
      checks.push((await h.request('POST', '/v2/healthchecks', { body: input })).body.healthcheck);
    assert.equal((await h.request('POST', `/v2/healthchecks/${checks[3].uuid}/pause`)).status, 200);
    const versions = await Promise.all(
      checks.map(
        async (c) =>
          (
            await h.ctx.store.db
              .selectFrom('healthchecks')
              .select('state_version')
              .where('uuid', '=', c.uuid)
              .executeTakeFirstOrThrow()
          ).state_version,
      ),
    );
    // Two checks are down with an open outage before the burst.
    for (const c of [checks[0], checks[2]])
      assert.equal((await ping(c.uuid, '/fail', { headers: { 'user-agent': `before-${c.uuid}` } })).status, 200);
    const suffixes = ['', '', '', '/fail', '/start'];
    const sent = Array.from({ length: 500 }, (_, i) => {
      const unknown = i % 25 === 0;
      const token = unknown ? 'tok_AAAAAAAAAAAAAAAAAAAAAAAA' : checks[i % checks.length].uuid;
      const post = i % 7 === 0;
      return {
        id: `burst-${i}`,
        token,
        unknown,
        suffix: suffixes[i % suffixes.length],
        init: {
          method: post ? 'POST' : 'GET',
          body: post ? `run ${i}` : undefined,
          headers: { 'user-agent': `burst-${i}` },
        },
      };
    });
    // Open the connections first, so the pings arrive together and share transactions.
    await Promise.all(sent.map(() => fetch(`${h.url}/healthz`).then((r) => r.text())));
    const answers = await Promise.all(sent.map(async (p) => ({ ...p, ...(await ping(p.token, p.suffix, p.init)) })));
    for (const a of answers) assert.equal(a.status, a.unknown ? 404 : 200, `${a.id}: ${a.text}`);

    const rows = await storedPings(checks.map((c) => c.uuid));
    const acked = [
      ...answers.filter((a) => a.status === 200).map((a) => a.id),
      `before-${checks[0].uuid}`,
      `before-${checks[2].uuid}`,
    ].sort();
    assert.deepEqual(rows.map((r) => r.ua).sort(), acked, 'stored exactly the pings answered 200, each once');

    for (const [i, c] of checks.entries()) {
      // Replay this check's pings in the order they were stored.
      let lastPing: number | null = null;
      let lastStart: number | null = null;
      let down = false;
      let opened = 0;
      let changes = 0;
      for (const r of rows.filter((x) => x.uuid === c.uuid)) {
        const at = Number(r.at);
        assert.equal(
          r.duration === null ? null : Number(r.duration),
          r.kind !== 'start' && lastStart !== null ? at - lastStart : null,
          'run duration since the last start',
        );
        if (r.kind === 'start') {
          lastStart = at;
          continue;
        }
        lastPing = at;
        lastStart = null;
        const fail = r.kind === 'fail';
        if (i !== 3 && fail !== down) {
          down = fail;
          changes++;
          if (down) opened++;
        }
      }
      const row = await h.ctx.store.db
        .selectFrom('healthchecks')
        .selectAll()
        .where('uuid', '=', c.uuid)
        .executeTakeFirstOrThrow();
      const settings = applyHealthcheckInput(null, inputs[i]);
      const due = nextDue(settings, lastPing!);
      assert.equal(Number(row.last_ping_at), lastPing, c.name);
      assert.equal(row.last_start_at === null ? null : Number(row.last_start_at), lastStart);
      assert.equal(Number(row.due_at), due);
      assert.equal(
        Number(row.alert_at),
        due + settings.grace_value * (settings.grace_type === 'minutes' ? 60_000 : 1000),
      );
      assert.equal(row.is_down, down ? 1 : 0);
      assert.equal(row.state_version, versions[i] + changes, 'one version per status change');
      const outages = await h.ctx.store.db
        .selectFrom('outages')
        .select(['ended_at'])
        .where('healthcheck_id', '=', row.id)
        .execute();
      assert.equal(outages.length, opened, 'one outage per turn down');
      assert.equal(outages.filter((o) => o.ended_at === null).length, down ? 1 : 0);
      const api = (await h.request('GET', `/v2/healthchecks/${c.uuid}`)).body.healthcheck;
      assert.equal(api.lastPing, new Date(lastPing!).toISOString());
      assert.equal(api.dueDate, new Date(due).toISOString());
      assert.equal(api.isDown, down);
    }
  });

  test('a burst of unknown tokens is answered 404 with a JSON message and writes nothing', async () => {
    const before = (
      await h.ctx.store.db
        .selectFrom('healthcheck_pings')
        .select((eb) => eb.fn.countAll<number>().as('n'))
        .executeTakeFirstOrThrow()
    ).n;
    await Promise.all(Array.from({ length: 50 }, () => fetch(`${h.url}/healthz`).then((r) => r.text())));
    const answers = await Promise.all(
      Array.from({ length: 50 }, async (_, i) => {
        const res = await fetch(`${h.url}/ping/tok_unknown${String(i).padStart(17, '0')}${i % 2 ? '/fail' : ''}`);
        return { status: res.status, body: await res.json() };
      }),
    );
    for (const a of answers) assert.deepEqual(a, { status: 404, body: { message: 'Healthcheck not found' } });
    const after = (
      await h.ctx.store.db
        .selectFrom('healthcheck_pings')
        .select((eb) => eb.fn.countAll<number>().as('n'))
        .executeTakeFirstOrThrow()
    ).n;
    assert.equal(Number(after), Number(before));
  });

  test('a ping whose commit fails is answered 503 with a JSON message and never 200; pings of other checks in the same burst are stored', async () => {
    const good = (await h.request('POST', '/v2/healthchecks', { body: period })).body.healthcheck;
    const bad = (await h.request('POST', '/v2/healthchecks', { body: period })).body.healthcheck;
    const badId = (
      await h.ctx.store.db
        .selectFrom('healthchecks')
        .select('id')
        .where('uuid', '=', bad.uuid)
        .executeTakeFirstOrThrow()
    ).id;
    // The database refuses this check's ping rows, as a full disk or a broken connection would.
    const db = h.ctx.store.db;
    if (h.ctx.store.dialect === 'sqlite') {
      await sql
        .raw(
          `CREATE TRIGGER refuse_pings BEFORE INSERT ON healthcheck_pings WHEN NEW.healthcheck_id = ${badId} BEGIN SELECT RAISE(ABORT, 'refused by test'); END`,
        )
        .execute(db);
    } else {
      await sql
        .raw(
          `CREATE FUNCTION refuse_ping() RETURNS trigger AS $$ BEGIN RAISE EXCEPTION 'refused by test'; END $$ LANGUAGE plpgsql`,
        )
        .execute(db);
      await sql
        .raw(
          `CREATE TRIGGER refuse_pings BEFORE INSERT ON healthcheck_pings FOR EACH ROW WHEN (NEW.healthcheck_id = ${badId}) EXECUTE FUNCTION refuse_ping()`,
        )
        .execute(db);
    }
    try {
      const answers = await Promise.all(
        Array.from({ length: 60 }, async (_, i) => {
          const c = i % 3 === 0 ? bad : good;
          const res = await fetch(`${h.url}/ping/${c.uuid}${i % 2 ? '/fail' : ''}`, {
            headers: { 'user-agent': `refusal-${i}` },
          });
          return { c, status: res.status, type: res.headers.get('content-type'), body: await res.text() };
        }),
      );
      for (const a of answers) {
        if (a.c === good) assert.equal(a.status, 200);
        else {
          assert.equal(a.status, 503);
          assert.match(a.type ?? '', /application\/json/);
          assert.ok(JSON.parse(a.body).message);
        }
      }
      const rows = await storedPings([good.uuid, bad.uuid]);
      assert.equal(rows.filter((r) => r.uuid === good.uuid).length, 40);
      assert.equal(rows.filter((r) => r.uuid === bad.uuid).length, 0);
      const g = (await h.request('GET', `/v2/healthchecks/${bad.uuid}`)).body.healthcheck;
      assert.equal(g.lastPing, null, 'a refused ping changes nothing');
      assert.equal(g.isDown, false);
    } finally {
      await sql
        .raw(`DROP TRIGGER refuse_pings${h.ctx.store.dialect === 'postgres' ? ' ON healthcheck_pings' : ''}`)
        .execute(db);
    }
    assert.equal((await ping(bad.uuid)).status, 200, 'accepted again once the database accepts it');
  });
});

describe('heartbeat schedule maths', () => {
  test('cron due dates follow the zone across DST changes', () => {
    const s = applyHealthcheckInput(null, {
      name: 'x',
      cron: '30 2 * * *',
      timezone: 'Europe/Berlin',
      grace_period_value: 0,
      grace_period_type: 'seconds',
    });
    // 2026-03-29: clocks jump from 02:00 to 03:00 in Berlin; 02:30 does not exist that day
    assert.equal(new Date(nextDue(s, Date.parse('2026-03-28T12:00:00Z'))).toISOString(), '2026-03-29T01:00:00.000Z');
    assert.equal(new Date(nextDue(s, Date.parse('2026-03-29T12:00:00Z'))).toISOString(), '2026-03-30T00:30:00.000Z');
    // 2026-10-25: back from 03:00 to 02:00; 02:30 CET is 01:30Z
    assert.equal(new Date(nextDue(s, Date.parse('2026-10-25T00:00:00Z'))).toISOString(), '2026-10-25T00:30:00.000Z');
    const ny = applyHealthcheckInput(null, {
      name: 'x',
      cron: '0 9 * * 1-5',
      timezone: 'America/New_York',
      grace_period_value: 0,
      grace_period_type: 'seconds',
    });
    assert.equal(new Date(nextDue(ny, Date.parse('2026-11-27T15:00:00Z'))).toISOString(), '2026-11-30T14:00:00.000Z'); // Friday 10:00 EST → Monday 09:00 EST
  });
});

describe('ping history and throttle', () => {
  let small: Harness;
  before(async () => {
    small = await startHarness({ env: { VIGIL_PING_RATE_PER_MINUTE: '30', VIGIL_PING_HISTORY: '10' } });
  });
  after(async () => {
    await small.stop();
  });
  const hc = async () =>
    (await small.request('POST', '/v2/healthchecks', { body: period })).body.healthcheck.uuid as string;
  const send = (token: string, body: string) =>
    fetch(`${small.url}/ping/${token}`, { method: 'POST', body }).then(async (r) => ({
      status: r.status,
      retry: r.headers.get('retry-after'),
      text: await r.text(),
    }));
  const stored = (token: string) =>
    small.ctx.store.db
      .selectFrom('healthcheck_pings')
      .innerJoin('healthchecks', 'healthchecks.id', 'healthcheck_pings.healthcheck_id')
      .select(['healthcheck_pings.body'])
      .where('healthchecks.uuid', '=', token)
      .orderBy('healthcheck_pings.id')
      .execute();

  test('a token gets at most VIGIL_PING_RATE_PER_MINUTE pings a minute: the next is 429 with Retry-After and not stored; other tokens are untouched', async () => {
    const [a, b] = [await hc(), await hc()];
    const answers = [];
    for (let i = 0; i < 33; i++) answers.push(await send(a, `a${i}`));
    assert.deepEqual(
      answers.slice(0, 30).map((r) => r.status),
      new Array(30).fill(200),
    );
    for (const r of answers.slice(30)) {
      assert.equal(r.status, 429);
      assert.ok(Number(r.retry) >= 1 && Number(r.retry) <= 60, String(r.retry));
      assert.match(JSON.parse(r.text).message, /at most 30 a minute \(VIGIL_PING_RATE_PER_MINUTE\)/);
    }
    assert.equal((await send(b, 'b0')).status, 200, 'another token has its own budget');
    // Every 2xx was stored (within the history bound): the last ten of them, and none of the refused.
    assert.deepEqual(
      (await stored(a)).map((p) => p.body),
      Array.from({ length: 30 }, (_, i) => `a${i}`).slice(-(await stored(a)).length),
    );
    assert.ok(!(await stored(a)).some((p) => ['a30', 'a31', 'a32'].includes(p.body!)));
  });

  test('a check keeps its newest VIGIL_PING_HISTORY pings (within one trim step of 16): a leaked URL cannot fill the disk', async () => {
    const c = await hc();
    for (let i = 0; i < 29; i++) assert.equal((await send(c, `p${i}`)).status, 200);
    const rows = (await stored(c)).map((p) => p.body);
    assert.ok(rows.length >= 10 && rows.length <= 10 + 15, `${rows.length} pings kept`);
    assert.deepEqual(rows, Array.from({ length: 29 }, (_, i) => `p${i}`).slice(-rows.length), 'the newest, in order');
    const got = (await small.request('GET', `/v2/healthchecks/${c}`)).body.healthcheck;
    assert.equal(got.logs[0].body, 'p28');
  });
  test('pings arriving together stay within the history bound, every check of a group trimmed at once, the newest kept', async () => {
    const checks = [await hc(), await hc(), await hc()];
    // Twelve one at a time, then eight each at once: the trim comes due in a group that brings new rows.
    for (const c of checks) for (let i = 0; i < 12; i++) assert.equal((await send(c, `s${i}`)).status, 200);
    const burst = await Promise.all(
      checks.flatMap((c) => Array.from({ length: 8 }, (_, i) => send(c, `b${i}`).then((r) => ({ c, ...r })))),
    );
    for (const r of burst) assert.equal(r.status, 200);
    for (const c of checks) {
      const rows = (await stored(c)).map((p) => p.body!);
      // The trim comes with the 16th ping: the newest 10 then, and at most the 4 pings after it.
      assert.ok(rows.length >= 10 && rows.length <= 14, `${rows.length} pings kept`);
      const burstKept = rows.filter((b) => b.startsWith('b'));
      assert.equal(burstKept.length, 8, 'the newest pings are kept');
      const sequential = rows.filter((b) => b.startsWith('s'));
      assert.deepEqual(
        sequential,
        Array.from({ length: 12 }, (_, i) => `s${i}`).slice(12 - sequential.length),
        'older pings go oldest first',
      );
    }
  });
});
