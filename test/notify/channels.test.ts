import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { startHarness, type Harness } from '../harness.ts';
import { loadTargetPolicy } from '../../src/egress/policy.ts';
import {
  goDown,
  goUp,
  monitorId,
  outbox,
  startReceiver,
  testDispatcher,
  verifyWebhook,
  type Receiver,
} from '../support/alerting.ts';

let h: Harness;
let rx: Receiver;
let now = Date.parse('2026-03-01T12:00:00Z');
before(async () => {
  h = await startHarness({ clock: () => now });
  rx = await startReceiver();
});
after(async () => {
  await h.stop();
  await rx.close();
});

const TOKEN = '123456:AAbbCCddEEff';

async function integration(type: string, settings: Record<string, unknown>) {
  const res = await h.request('POST', '/v1/integrations', { body: { name: `${type} channel`, type, settings } });
  assert.equal(res.status, 201, JSON.stringify(res.body));
  return res.body;
}

/** One request per channel kind, found by the path its settings point at. */
const at = (prefix: string) => rx.received.filter((r) => r.path.startsWith(prefix));

describe('channels: what each one sends, to loopback stand-ins of the vendors', () => {
  let hook: any;
  let mon: { uuid: string; id: number };
  let link: string;

  before(async () => {
    hook = await integration('webhook', { url: `${rx.url}/webhook` });
    const others = [
      await integration('slack', { url: `${rx.url}/slack/T000/B000/XXXX` }),
      await integration('discord', { url: `${rx.url}/discord/123/abc` }),
      await integration('teams', { url: `${rx.url}/teams/workflow` }),
      await integration('telegram', { botToken: TOKEN, chatId: '-100200', apiBase: `${rx.url}/tg` }),
      await integration('pagerduty', {
        routingKey: 'R0UT1NGKEY0000000000000000000000',
        url: `${rx.url}/pd/v2/enqueue`,
      }),
      await integration('opsgenie', { apiKey: 'og-key-0000', apiBase: `${rx.url}/og` }),
      await integration('ntfy', { url: `${rx.url}/ntfy/vigil-alerts`, token: 'tk_ntfy' }),
    ];
    const policy = await h.request('POST', '/v1/escalation-policies', {
      body: { name: 'everyone', steps: [{ delayMinutes: 0, integrations: [hook.uuid, ...others.map((o) => o.uuid)] }] },
    });
    assert.equal(policy.status, 201, JSON.stringify(policy.body));
    const m = await h.request('POST', '/v1/monitors', {
      body: {
        name: 'Checkout API',
        url: 'https://checkout.example/health',
        paused: true,
        escalation_policy: policy.body.uuid,
      },
    });
    assert.equal(m.status, 201, JSON.stringify(m.body));
    assert.deepEqual(m.body.escalation_policy, { uuid: policy.body.uuid, name: 'everyone' });
    mon = { uuid: m.body.uuid, id: await monitorId(h, m.body.uuid) };
    link = `https://vigil.example/app/projects/${h.project.uuid}/monitors/${mon.uuid}`;
    await goDown(h.ctx, mon.id, now - 120_000);
    const d = testDispatcher(h.ctx);
    assert.equal(await d.runOnce(), 8);
  });

  test('SECURITY 26: generic webhook: Standard Webhooks headers, a signature the secret verifies, a JSON event', () => {
    const [r] = at('/webhook');
    assert.match(r.headers['webhook-id'] as string, /^msg_[A-Za-z0-9]{24}$/);
    assert.equal(r.headers['webhook-timestamp'], String(Math.floor(now / 1000)));
    assert.match(r.headers['webhook-signature'] as string, /^v1,[A-Za-z0-9+/]+=*$/);
    assert.match(hook.secret, /^whsec_/);
    assert.ok(verifyWebhook(hook.secret, r.headers, r.body), 'signature verifies with the channel secret');
    assert.ok(
      !verifyWebhook(`whsec_${Buffer.alloc(24, 1).toString('base64')}`, r.headers, r.body),
      'and not with another',
    );
    assert.equal(r.headers['content-type'], 'application/json');
    assert.equal(r.json.type, 'outage.down');
    const data = r.json.data;
    assert.equal(data.check.name, 'Checkout API');
    assert.equal(data.check.url, 'https://checkout.example/health');
    assert.equal(data.outage.startDate, new Date(now - 120_000).toISOString());
    assert.equal(data.outage.description, 'expected 2xx, got 503');
    assert.equal(data.outage.statusCode, 503);
    assert.equal(data.outage.detectedLocation, 'local');
    assert.equal(data.link, link);
    assert.equal(data.title, 'DOWN: Checkout API');
  });

  test('every message says what is down, since when, the error, the region, and links to the dashboard', () => {
    const texts = {
      slack: JSON.stringify(at('/slack')[0].json),
      discord: JSON.stringify(at('/discord')[0].json),
      teams: JSON.stringify(at('/teams')[0].json),
      telegram: at('/tg')[0].json.text,
      opsgenie: at('/og')[0].json.description,
      ntfy: at('/ntfy')[0].body + at('/ntfy')[0].headers.click,
    };
    for (const [kind, text] of Object.entries(texts)) {
      for (const part of [
        'Checkout API',
        'down since 2026-03-01 11:58:00 UTC',
        'expected 2xx, got 503',
        'Region: local',
        link,
      ]) {
        assert.ok(text.includes(part), `${kind} says ${part}: ${text}`);
      }
    }
  });

  test('Slack, Discord and Teams get their own webhook formats', () => {
    const slack = at('/slack')[0].json;
    assert.equal(slack.text, 'DOWN: Checkout API');
    assert.equal(slack.blocks[0].type, 'section');
    assert.match(slack.blocks[0].text.text, /^:red_circle: \*DOWN: Checkout API\*/);
    assert.ok(slack.blocks[0].text.text.includes(`<${link}|Open in Vigil>`));
    const discord = at('/discord')[0].json;
    assert.equal(discord.embeds[0].title, 'DOWN: Checkout API');
    assert.equal(discord.embeds[0].url, link);
    assert.equal(discord.embeds[0].color, 0xd93025);
    assert.deepEqual(discord.allowed_mentions, { parse: [] });
    const teams = at('/teams')[0].json;
    assert.equal(teams.type, 'message');
    assert.equal(teams.attachments[0].contentType, 'application/vnd.microsoft.card.adaptive');
    assert.equal(teams.attachments[0].content.type, 'AdaptiveCard');
    assert.equal(teams.attachments[0].content.body[0].text, 'DOWN: Checkout API');
    assert.deepEqual(teams.attachments[0].content.actions[0], {
      type: 'Action.OpenUrl',
      title: 'Open in Vigil',
      url: link,
    });
  });

  test('Telegram: sendMessage with the chat id, through the configured API base', () => {
    const [r] = at('/tg');
    assert.equal(r.path, `/tg/bot${TOKEN}/sendMessage`);
    assert.equal(r.json.chat_id, '-100200');
    assert.match(r.json.text, /^DOWN: Checkout API\n/);
    assert.equal(r.json.disable_web_page_preview, true);
  });

  test('PagerDuty: an Events v2 trigger deduplicated by the outage uuid', async () => {
    const [r] = at('/pd');
    const outage = (
      await h.ctx.store.db
        .selectFrom('outages')
        .select('uuid')
        .where('monitor_id', '=', mon.id)
        .executeTakeFirstOrThrow()
    ).uuid;
    assert.equal(r.path, '/pd/v2/enqueue');
    assert.equal(r.json.routing_key, 'R0UT1NGKEY0000000000000000000000');
    assert.equal(r.json.event_action, 'trigger');
    assert.equal(r.json.dedup_key, outage);
    assert.equal(r.json.payload.severity, 'critical');
    assert.equal(r.json.payload.source, 'https://checkout.example/health');
    assert.match(r.json.payload.summary, /^DOWN: Checkout API/);
    assert.deepEqual(r.json.links, [{ href: link, text: 'Open in Vigil' }]);
  });

  test('Opsgenie: an alert aliased by the outage uuid, with the GenieKey', async () => {
    const [r] = at('/og');
    const outage = (
      await h.ctx.store.db
        .selectFrom('outages')
        .select('uuid')
        .where('monitor_id', '=', mon.id)
        .executeTakeFirstOrThrow()
    ).uuid;
    assert.equal(r.path, '/og/v2/alerts');
    assert.equal(r.headers.authorization, 'GenieKey og-key-0000');
    assert.equal(r.json.alias, outage);
    assert.equal(r.json.message, 'DOWN: Checkout API');
    assert.equal(r.json.priority, 'P1');
  });

  test('ntfy: the text posted to the topic with title, priority, tags and click headers', () => {
    const [r] = at('/ntfy');
    assert.equal(r.path, '/ntfy/vigil-alerts');
    assert.equal(r.headers.title, 'DOWN: Checkout API');
    assert.equal(r.headers.priority, 'high');
    assert.equal(r.headers.tags, 'rotating_light');
    assert.equal(r.headers.click, link);
    assert.equal(r.headers.authorization, 'Bearer tk_ntfy');
    assert.match(r.body, /^Checkout API \(https:\/\/checkout\.example\/health\) is down since/);
  });

  test('recovery reaches the same channels: PagerDuty resolves, Opsgenie closes by alias, the others say UP', async () => {
    rx.received.length = 0;
    now += 300_000;
    await goUp(h.ctx, mon.id, now - 60_000);
    assert.equal(await testDispatcher(h.ctx).runOnce(), 8);
    const outage = (
      await h.ctx.store.db
        .selectFrom('outages')
        .select('uuid')
        .where('monitor_id', '=', mon.id)
        .executeTakeFirstOrThrow()
    ).uuid;
    assert.deepEqual(at('/pd')[0].json, {
      routing_key: 'R0UT1NGKEY0000000000000000000000',
      event_action: 'resolve',
      dedup_key: outage,
    });
    assert.equal(at('/og')[0].path, `/og/v2/alerts/${outage}/close?identifierType=alias`);
    assert.equal(at('/webhook')[0].json.type, 'outage.up');
    assert.equal(at('/slack')[0].json.text, 'UP: Checkout API');
    assert.match(at('/tg')[0].json.text, /is up again since 2026-03-01 12:04:00 UTC, after 6 min down/);
    assert.equal(at('/ntfy')[0].headers.tags, 'white_check_mark');
    const o = (await h.request('GET', `/v2/outages/${outage}`)).body.outage;
    assert.deepEqual(o.escalationPolicy.alertedSteps, 1);
    assert.equal(o.alertedChannels.length, 16);
    assert.ok(o.alertedChannels.every((c: any) => c.status === 'delivered' && c.attempts === 1));
    assert.deepEqual(
      new Set(o.alertedChannels.map((c: any) => c.type)),
      new Set(['webhook', 'slack', 'discord', 'teams', 'telegram', 'pagerduty', 'opsgenie', 'ntfy']),
    );
  });

  test('stored statuses never hold the Telegram bot token', async () => {
    const rows = await outbox(h.ctx);
    assert.ok(rows.every((r) => !String(r.last_status).includes(TOKEN)));
  });
});

describe('channel settings through the API', () => {
  test('secrets are write-only: masked on read, kept when omitted or sent back masked, replaced when new', async () => {
    const slack = await integration('slack', { url: 'https://hooks.slack.com/services/T000/B000/secretpart1234' });
    assert.equal(slack.settings.url, 'https://hooks.slack.com/…1234');
    const read = (await h.request('GET', `/v1/integrations/${slack.uuid}`)).body;
    assert.equal(read.settings.url, 'https://hooks.slack.com/…1234');
    assert.ok(!JSON.stringify((await h.request('GET', '/v1/integrations')).body).includes('secretpart'));
    await h.request('PUT', `/v1/integrations/${slack.uuid}`, {
      body: { name: 'renamed', settings: { url: read.settings.url } },
    });
    const row = await h.ctx.store.db
      .selectFrom('notification_channels')
      .select(['config', 'name'])
      .where('uuid', '=', slack.uuid)
      .executeTakeFirstOrThrow();
    assert.equal(JSON.parse(row.config).url, 'https://hooks.slack.com/services/T000/B000/secretpart1234');
    assert.equal(row.name, 'renamed');
    const hook = await integration('webhook', { url: 'https://hooks.example/x' });
    assert.match(hook.secret, /^whsec_[A-Za-z0-9+/]{32}$/, 'the generated secret is shown once, in full');
    assert.match((await h.request('GET', `/v1/integrations/${hook.uuid}`)).body.secret, /^whsec_…[A-Za-z0-9+/]{4}$/);
  });

  test('bad settings are 422 naming the field; the type cannot change', async () => {
    const bad = [
      [{ name: 'x', type: 'webhook', settings: { url: 'ftp://x' } }, /settings\.url must be an http\(s\) URL/],
      [{ name: 'x', type: 'email', settings: { to: ['not-an-address'] } }, /settings\.to/],
      [{ name: 'x', type: 'telegram', settings: { botToken: 'x' } }, /settings\.chatId is required/],
      [{ name: 'x', type: 'email', settings: { to: ['a@example.org'], smtpUrl: 'http://mail' } }, /smtpUrl/],
      [{ name: 'x', type: 'webhook', settings: { url: 'https://x.example' }, secret: 'nope' }, /secret must be whsec_/],
    ] as const;
    for (const [body, message] of bad) {
      const res = await h.request('POST', '/v1/integrations', { body });
      assert.equal(res.status, 422, JSON.stringify(body));
      assert.match(res.body.message, message);
    }
    const c = await integration('discord', { url: 'https://discord.example/api/webhooks/1/abc' });
    assert.equal((await h.request('PUT', `/v1/integrations/${c.uuid}`, { body: { type: 'slack' } })).status, 422);
  });

  test('SECURITY 15: outbound requests obey the target policy: a blocked address is given up, nothing is sent', async () => {
    const c = await integration('webhook', { url: `${rx.url}/blocked` });
    await h.ctx.store.db.updateTable('notifications').set({ next_attempt_at: null }).execute();
    rx.received.length = 0;
    assert.equal((await h.request('POST', `/v1/integrations/${c.uuid}/test`)).status, 202);
    await testDispatcher(h.ctx, { policy: loadTargetPolicy({ VIGIL_BLOCK_PRIVATE_TARGETS: 'true' }) }).runOnce();
    assert.equal(rx.received.length, 0);
    const last = (await h.request('GET', `/v1/integrations/${c.uuid}`)).body.lastDelivery;
    assert.equal(last.status, 'failed');
    assert.match(last.detail, /blocked by target policy: private address 127\.0\.0\.1/);
  });
});
