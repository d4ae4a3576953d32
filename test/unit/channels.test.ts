import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import {
  CHANNEL_FIELDS,
  CHANNEL_KINDS,
  applyChannelSettings,
  isEmail,
  maskSecret,
  maskedSettings,
  newWebhookSecret,
  parseChannelKind,
  parseChannelName,
  parseSmtpUrl,
  parseWebhookSecret,
  type ChannelKind,
} from '../../src/domain/channels.ts';
import { ValidationError } from '../../src/domain/errors.ts';

const SLACK = 'https://hooks.slack.com/services/T000/B000/XXXXXXXXXXXXabcd';

describe('channel kinds and names', () => {
  test('every kind has a settings table and only those kinds are accepted', () => {
    for (const kind of CHANNEL_KINDS) {
      assert.equal(parseChannelKind(kind), kind);
      assert.ok(
        CHANNEL_FIELDS[kind].some((f) => f.required),
        kind,
      );
    }
    for (const bad of ['Slack', 'sms', '', null, 3])
      assert.throws(
        () => parseChannelKind(bad),
        (e: unknown) => e instanceof ValidationError && /type/.test(e.message),
      );
  });

  test('a name is trimmed, 1 to 255 characters, without control characters', () => {
    assert.equal(parseChannelName('  Ops room '), 'Ops room');
    assert.equal(parseChannelName('x'.repeat(255)), 'x'.repeat(255));
    for (const bad of ['', '  ', 'x'.repeat(256), 'a\tb', 'a\u007fb', 7, null])
      assert.throws(() => parseChannelName(bad), /name/, JSON.stringify(bad));
  });
});

describe('email addresses and SMTP URLs', () => {
  test('isEmail takes ordinary addresses and refuses spaces, missing parts, brackets and control characters', () => {
    for (const ok of ['ann@example.org', 'a.b+tag@mail.example.co.uk', 'root@localhost']) assert.ok(isEmail(ok), ok);
    for (const bad of [
      'ann',
      '@example.org',
      'ann@',
      'ann@.example.org',
      'a n@example.org',
      'ann@exa mple.org',
      '<ann@example.org>',
      'a@b@c',
      'ann@example.org\n',
      `${'a'.repeat(250)}@b.org`,
    ]) {
      assert.ok(!isEmail(bad), bad);
    }
  });

  test('smtp:// defaults to port 587, smtps:// to 465 with implicit TLS; credentials are decoded', () => {
    assert.deepEqual(parseSmtpUrl('smtp://mail.example.org'), {
      secure: false,
      host: 'mail.example.org',
      port: 587,
      user: null,
      pass: null,
    });
    assert.deepEqual(parseSmtpUrl('smtps://u%40x:p%2Fw@mail.example.org'), {
      secure: true,
      host: 'mail.example.org',
      port: 465,
      user: 'u@x',
      pass: 'p/w',
    });
    assert.equal(parseSmtpUrl('smtp://mail.example.org:2525')?.port, 2525);
  });

  test('an IPv6 SMTP host loses its brackets', () => {
    assert.equal(parseSmtpUrl('smtp://[::1]:25')?.host, '::1');
  });

  test('anything but an smtp(s) URL with a host is not an SMTP URL', () => {
    for (const bad of ['', 'mail.example.org', 'http://mail.example.org', 'smtp:mail', 'smtp://', 'not a url'])
      assert.equal(parseSmtpUrl(bad), null, bad);
  });
});

describe('secret masking', () => {
  test('a URL keeps its scheme and host and the last four characters when long enough', () => {
    assert.equal(maskSecret(SLACK), 'https://hooks.slack.com/…abcd');
    assert.equal(maskSecret('smtp://u:p@mail.example.org:25'), 'smtp://mail.example.org/…g:25');
    assert.equal(maskSecret('http://a.io'), 'http://a.io/…');
  });

  test('a token keeps only its last four characters, and none when it is 12 or shorter', () => {
    assert.equal(maskSecret('123456:ABCDEFGHIJKLwxyz'), '…wxyz');
    assert.equal(maskSecret('abcdefghijkl'), '…');
    assert.equal(maskSecret('abcdefghijklm'), '…jklm');
  });

  test('reads show secrets masked, other settings as stored, and nothing the kind does not know', () => {
    assert.deepEqual(maskedSettings('slack', { url: SLACK, stray: 'x' }), { url: 'https://hooks.slack.com/…abcd' });
    assert.deepEqual(maskedSettings('webhook', { url: 'https://example.org/hook' }), {
      url: 'https://example.org/hook',
    });
    assert.deepEqual(maskedSettings('email', { to: ['a@example.org'], from: 'v@example.org' }), {
      to: ['a@example.org'],
      from: 'v@example.org',
    });
    assert.deepEqual(maskedSettings('telegram', { botToken: '123456:ABCDEFGHIJKLwxyz', chatId: '-100' }), {
      botToken: '…wxyz',
      chatId: '-100',
    });
  });
});

describe('channel settings input', () => {
  test('every required setting is asked for on create, by name', () => {
    const required: Record<ChannelKind, string> = {
      email: 'to',
      webhook: 'url',
      slack: 'url',
      discord: 'url',
      teams: 'url',
      telegram: 'botToken',
      pagerduty: 'routingKey',
      opsgenie: 'apiKey',
      ntfy: 'url',
    };
    for (const kind of CHANNEL_KINDS) {
      assert.throws(
        () => applyChannelSettings(kind, null, {}),
        (e: unknown) => e instanceof ValidationError && e.message.includes(`settings.${required[kind]}`),
        kind,
      );
      assert.throws(() => applyChannelSettings(kind, null, undefined), ValidationError, kind);
    }
    assert.throws(() => applyChannelSettings('telegram', null, { botToken: 'abc' }), /settings\.chatId/);
  });

  test('settings must be an object', () => {
    for (const bad of [null, 'x', [], 3]) assert.throws(() => applyChannelSettings('webhook', null, bad), /settings/);
  });

  test('values are trimmed; unknown keys are ignored', () => {
    assert.deepEqual(applyChannelSettings('webhook', null, { url: '  https://example.org/hook ', extra: 1 }), {
      url: 'https://example.org/hook',
    });
  });

  test('URL settings must be http(s) URLs with a host', () => {
    for (const url of ['ftp://example.org', 'javascript:alert(1)', 'example.org/hook', 'https://', 42]) {
      assert.throws(() => applyChannelSettings('webhook', null, { url }), /settings\.url/, String(url));
    }
    assert.throws(
      () => applyChannelSettings('telegram', null, { botToken: 'b', chatId: '1', apiBase: 'file:///etc' }),
      /settings\.apiBase/,
    );
  });

  test('text settings are at most 2048 characters without control characters', () => {
    assert.throws(() => applyChannelSettings('opsgenie', null, { apiKey: 'x'.repeat(2049) }), /settings\.apiKey/);
    assert.throws(() => applyChannelSettings('opsgenie', null, { apiKey: 'ab\u0000cd' }), /settings\.apiKey/);
    assert.throws(() => applyChannelSettings('opsgenie', null, { apiKey: '   ' }), /settings\.apiKey/);
    assert.equal(applyChannelSettings('opsgenie', null, { apiKey: 'x'.repeat(2048) }).apiKey, 'x'.repeat(2048));
  });

  test('email recipients: a list or a comma-separated string of 1 to 20 addresses', () => {
    assert.deepEqual(applyChannelSettings('email', null, { to: 'a@example.org, b@example.org,' }).to, [
      'a@example.org',
      'b@example.org',
    ]);
    assert.deepEqual(applyChannelSettings('email', null, { to: ['a@example.org'] }).to, ['a@example.org']);
    const many = Array.from({ length: 21 }, (_, i) => `a${i}@example.org`);
    for (const to of [[], many, many.join(','), ['a@example.org', 'nope'], [3], ' , ']) {
      assert.throws(() => applyChannelSettings('email', null, { to }), /settings\.to/, JSON.stringify(to));
    }
    assert.equal((applyChannelSettings('email', null, { to: many.slice(0, 20) }).to as string[]).length, 20);
  });

  test('email sender and SMTP URL are checked by their form', () => {
    const base = { to: ['a@example.org'] };
    assert.throws(() => applyChannelSettings('email', null, { ...base, from: 'vigil' }), /settings\.from/);
    assert.throws(
      () => applyChannelSettings('email', null, { ...base, smtpUrl: 'https://mail.example.org' }),
      /settings\.smtpUrl/,
    );
    assert.deepEqual(
      applyChannelSettings('email', null, { ...base, from: 'v@example.org', smtpUrl: 'smtps://u:p@mail.example.org' }),
      { ...base, from: 'v@example.org', smtpUrl: 'smtps://u:p@mail.example.org' },
    );
  });

  test('ntfy priority is a number from 1 to 5 or its name', () => {
    for (const priority of ['1', '5', 'min', 'urgent', 'max'])
      assert.equal(applyChannelSettings('ntfy', null, { url: 'https://ntfy.sh/t', priority }).priority, priority);
    for (const priority of ['0', '6', 'HIGH', 'loud'])
      assert.throws(
        () => applyChannelSettings('ntfy', null, { url: 'https://ntfy.sh/t', priority }),
        /settings\.priority/,
        priority,
      );
  });

  test('an update keeps absent keys, replaces sent ones, and clears optional ones with null or ""', () => {
    const current = { url: 'https://ntfy.sh/t', token: 'tk_0123456789abcdef', priority: 'high' };
    assert.deepEqual(applyChannelSettings('ntfy', current, {}), current);
    assert.deepEqual(applyChannelSettings('ntfy', current, { priority: 'low' }), { ...current, priority: 'low' });
    assert.deepEqual(applyChannelSettings('ntfy', current, { priority: null, token: '' }), {
      url: 'https://ntfy.sh/t',
    });
    assert.deepEqual(current, { url: 'https://ntfy.sh/t', token: 'tk_0123456789abcdef', priority: 'high' });
  });

  test('a required setting cannot be cleared', () => {
    assert.throws(
      () => applyChannelSettings('webhook', { url: 'https://example.org/hook' }, { url: null }),
      /settings\.url/,
    );
    assert.throws(
      () => applyChannelSettings('webhook', { url: 'https://example.org/hook' }, { url: '' }),
      /settings\.url/,
    );
  });

  test('a secret sent back in its masked form is kept unchanged; a new value replaces it', () => {
    const current = { url: SLACK };
    assert.deepEqual(applyChannelSettings('slack', current, { url: maskSecret(SLACK) }), current);
    const other = 'https://hooks.slack.com/services/T111/B111/YYYYYYYYYYYYwxyz';
    assert.deepEqual(applyChannelSettings('slack', current, { url: other }), { url: other });
    const tg = { botToken: '123456:ABCDEFGHIJKLwxyz', chatId: '-100' };
    assert.deepEqual(applyChannelSettings('telegram', tg, { botToken: '…wxyz', chatId: '-200' }), {
      ...tg,
      chatId: '-200',
    });
  });

  test('only secrets are kept when sent back masked: for another setting the masked form is the new value', () => {
    const masked = maskSecret('https://example.org/hook');
    assert.deepEqual(applyChannelSettings('webhook', { url: 'https://example.org/hook' }, { url: masked }), {
      url: masked,
    });
  });
});

describe('webhook signing secrets', () => {
  test('a new secret is whsec_ and the base64 of 24 bytes, accepted by its own parser, and never repeats', () => {
    const a = newWebhookSecret();
    assert.match(a, /^whsec_[A-Za-z0-9+/]{32}$/);
    assert.equal(parseWebhookSecret(a), a);
    assert.notEqual(newWebhookSecret(), a);
  });

  test('a given secret must be whsec_ and the base64 of 16 to 64 bytes', () => {
    const of = (n: number) => `whsec_${Buffer.alloc(n, 7).toString('base64')}`;
    assert.equal(parseWebhookSecret(of(16)), of(16));
    assert.equal(parseWebhookSecret(of(64)), of(64));
    for (const bad of [
      of(15),
      of(65),
      Buffer.alloc(32).toString('base64'),
      'whsec_',
      'whsec_not base64!',
      `${of(32)}\n`,
      32,
      null,
    ]) {
      assert.throws(
        () => parseWebhookSecret(bad),
        (e: unknown) => e instanceof ValidationError && /secret/.test(e.message),
        String(bad),
      );
    }
  });
});
