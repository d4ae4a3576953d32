import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { KEY_PATTERN, generateApiKey, maskApiKey, parseExpiry, permits } from '../../src/domain/api-keys.ts';
import {
  applyMonitorInput,
  domainAlertStep,
  isValidHost,
  registrableDomain,
  sslAlertStep,
  statusMatches,
} from '../../src/domain/monitors.ts';
import { newId, randomAlnum } from '../../src/domain/ids.ts';
import { ValidationError } from '../../src/domain/errors.ts';

describe('api keys', () => {
  test('SECURITY 1: keys are sk_ + 32 alphanumerics and unique', () => {
    const keys = new Set(Array.from({ length: 1000 }, generateApiKey));
    assert.equal(keys.size, 1000);
    for (const k of keys) assert.match(k, KEY_PATTERN);
    assert.equal([...keys][0].length, 35);
  });

  test('random ids use the whole alphabet evenly enough', () => {
    const s = randomAlnum(62_000);
    const counts = new Map<string, number>();
    for (const c of s) counts.set(c, (counts.get(c) ?? 0) + 1);
    assert.equal(counts.size, 62);
    for (const n of counts.values()) assert.ok(n > 800 && n < 1200, String(n));
    assert.match(newId('mon'), /^mon_[A-Za-z0-9]{14}$/);
  });

  test('SECURITY 3: masked form keeps the prefix and the last four', () => {
    assert.equal(maskApiKey('sk_AbCdEFGHIJKLMNOPQRSTUVWXYZwxyz'), 'sk_AbCd…wxyz');
  });

  test('SECURITY 5: permission: read_only may only GET and HEAD', () => {
    for (const m of ['GET', 'HEAD']) assert.ok(permits('read_only', m));
    for (const m of ['POST', 'PUT', 'PATCH', 'DELETE', 'OPTIONS']) assert.ok(!permits('read_only', m));
    assert.ok(permits('read_write', 'DELETE'));
  });

  test('SECURITY 7: expiry: a date means 00:00 UTC that day; past and malformed are refused', () => {
    const now = Date.parse('2026-11-27T12:00:00Z');
    assert.equal(parseExpiry('2026-11-28', now), Date.parse('2026-11-28T00:00:00Z'));
    assert.throws(() => parseExpiry('2026-11-27T13:00:00+01:00', now), /past/); // 12:00Z is now
    assert.equal(parseExpiry('2026-11-27T14:00:00+01:00', now), Date.parse('2026-11-27T13:00:00Z'));
    assert.equal(parseExpiry('never', now), null);
    assert.equal(parseExpiry('', now), null);
    assert.throws(() => parseExpiry('2026-11-27', now), ValidationError);
    assert.throws(() => parseExpiry('2026-11-27T12:00:00Z', now), /past/);
    assert.throws(() => parseExpiry('2026-11-27T13:00:00', now), /Invalid expiration/); // no zone
    assert.throws(() => parseExpiry('2026-02-30', now), ValidationError);
  });
});

describe('monitor rules', () => {
  test('status code patterns', () => {
    assert.ok(statusMatches('200', 200));
    assert.ok(!statusMatches('200', 201));
    assert.ok(statusMatches('2xx', 204));
    assert.ok(!statusMatches('2xx', 301));
    assert.ok(statusMatches('1xx-3xx', 302));
    assert.ok(!statusMatches('1xx-3xx', 404));
  });

  test('SECURITY 18: hosts: names and IPs pass, shell and option look-alikes fail', () => {
    for (const ok of ['example.org', '127.0.0.1', '::1', 'a-b.c_d.example', 'localhost'])
      assert.ok(isValidHost(ok), ok);
    for (const bad of ['; id', '$(id)', '-f', 'a b', '', 'x'.repeat(300), '`id`', 'a|b'])
      assert.ok(!isValidHost(bad), bad);
  });

  test('partial update keeps every unsent key', () => {
    const base = applyMonitorInput(null, { name: 'a', url: 'https://e.org', regions: ['paris'], alerts_wait: 5 });
    const next = applyMonitorInput(base, { name: 'b' });
    assert.deepEqual(next, { ...base, name: 'b' });
  });
});

describe('expiry alert rules', () => {
  test('a certificate alerts first at ssl_alert_days, then at each standard step below it with reminders', () => {
    const steps = (alertDays: number, reminders: boolean) =>
      [100, 90, 61, 60, 31, 30, 29, 16, 15, 14, 8, 7, 4, 3, 2, 1, 0, -1].map((d) =>
        sslAlertStep(d, alertDays, reminders),
      );
    assert.deepEqual(steps(30, true), [null, null, null, null, null, 30, 30, 30, 15, 15, 15, 7, 7, 3, 3, 1, 1, null]);
    assert.deepEqual(steps(30, false), [
      null,
      null,
      null,
      null,
      null,
      30,
      30,
      30,
      30,
      30,
      30,
      30,
      30,
      30,
      30,
      30,
      30,
      null,
    ]);
    assert.deepEqual(steps(90, true).slice(0, 6), [null, 90, 90, 60, 60, 30]);
    assert.deepEqual(steps(1, true).slice(-3), [1, 1, null]);
    assert.deepEqual(
      steps(-1, true).filter((s) => s !== null),
      [],
    );
  });

  test('a domain alerts once its registration is within domain_alert_days; -1 never', () => {
    assert.equal(domainAlertStep(31, 30), null);
    assert.equal(domainAlertStep(30, 30), 30);
    assert.equal(domainAlertStep(2, 30), 30);
    assert.equal(domainAlertStep(2, -1), null);
  });

  test('the registrable domain of a target: public suffixes respected, none for IP addresses and single labels', () => {
    assert.equal(registrableDomain('http', 'https://api.shop.example.co.uk/health'), 'example.co.uk');
    assert.equal(registrableDomain('dns', 'www.example.com'), 'example.com');
    assert.equal(registrableDomain('icmp', 'host.example.org.'), 'example.org');
    assert.equal(registrableDomain('port', 'tcp://db.internal.example.net:5432'), 'example.net');
    for (const url of ['http://127.0.0.1:8080/', 'http://[::1]/', '10.0.0.1', 'http://localhost:3000/'])
      assert.equal(registrableDomain('http', url), null, url);
  });
});
