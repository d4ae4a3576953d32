// A status page's custom hostname is served only after its owner proves it with a DNS TXT record,
// looked up through a DNS server on loopback; the server's own host name can never be claimed.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import http from 'node:http';
import { startHarness, type Harness } from '../harness.ts';
import { startProofDns } from '../support/proof-dns.ts';
import { proveDueHostnames } from '../../src/services/hostnames.ts';
import { createTxtLookup } from '../../src/prober/txt.ts';

let h: Harness;
let dns: Awaited<ReturnType<typeof startProofDns>>;
let now = Date.parse('2026-12-01T00:00:00Z');
const OWN_HOST = 'vigil.example.net';
before(async () => {
  dns = await startProofDns();
  h = await startHarness({ env: { ...dns.env, VIGIL_PUBLIC_URL: `https://${OWN_HOST}` }, clock: () => now });
});
after(async () => {
  await h.stop();
  await dns.close();
});

let seq = 0;
const unique = (p: string) => `${p}-${process.pid}-${++seq}`;

async function page(body: Record<string, unknown>, key = h.rw) {
  const res = await h.request('POST', '/v2/statuspages', {
    key,
    body: { name: 'Acme', subdomain: unique('acme'), ...body },
  });
  assert.equal(res.status, 201, JSON.stringify(res.body));
  return res.body.statuspage;
}

const verify = (uuid: string, key = h.rw) => h.request('POST', `/v2/statuspages/${uuid}/hostname/verify`, { key });

/** GET / with this Host header: 200 with the page, or the 302 to /app of a host that serves nothing. */
function home(host: string): Promise<{ status: number; text: string }> {
  const url = new URL(h.url);
  return new Promise((resolve, reject) => {
    http
      .get({ host: url.hostname, port: url.port, path: '/', headers: { host } }, (res) => {
        let text = '';
        res.on('data', (c) => (text += c));
        res.on('end', () => resolve({ status: res.statusCode!, text }));
      })
      .on('error', reject);
  });
}

describe('custom hostname proof', () => {
  test('a new hostname is a claim: kept as written, not served, with the TXT record that proves it', async () => {
    const host = `${unique('status')}.example.com`;
    const sp = await page({ name: 'Claimed', hostname: host.toUpperCase() });
    assert.equal(sp.hostname, host, 'as written (lowercased), so clients see no drift');
    assert.equal(sp.url, sp.hostedsubdomain, 'served on its hosted address until proven');
    assert.equal(sp.hostname_verification.verified, false);
    assert.equal(sp.hostname_verification.type, 'TXT');
    assert.equal(sp.hostname_verification.name, `_vigil.${host}`);
    assert.match(sp.hostname_verification.value, /^vigil-verification=[A-Za-z0-9]{32}$/);
    assert.equal((await home(host)).status, 302);
    // The list shows the claim too.
    const list = await h.request('GET', `/v2/statuspages?search=${encodeURIComponent(host)}`);
    assert.deepEqual(
      list.body.statuspages.map((p: { hostname: string; url: string }) => [p.hostname, p.url]),
      [[host, sp.hostedsubdomain]],
    );
  });

  test('verify looks the record up: missing or wrong, it says so and nothing is served; right, the page is served at / on that host', async () => {
    const host = `${unique('status')}.example.com`;
    const sp = await page({ name: 'Proven Acme', hostname: host });
    const missing = await verify(sp.uuid);
    assert.equal(missing.status, 200);
    assert.equal(missing.body.message, 'Hostname not verified: no TXT record found');
    assert.equal(missing.body.statuspage.hostname_verification.error, 'no TXT record found');
    assert.equal(missing.body.statuspage.hostname_verification.checked_at, new Date(now).toISOString());

    dns.publish({ name: `_vigil.${host}`, value: 'vigil-verification=somebody-else' });
    const wrong = await verify(sp.uuid);
    assert.match(
      wrong.body.message,
      new RegExp(`_vigil\\.${host.replace(/\./g, '\\.')} has no TXT record vigil-verification=`),
    );
    assert.equal((await home(host)).status, 302);

    dns.publish(sp.hostname_verification);
    const right = await verify(sp.uuid);
    assert.equal(right.body.message, 'Hostname verified');
    assert.equal(right.body.statuspage.hostname_verification.verified, true);
    assert.equal(right.body.statuspage.hostname_verification.error, null);
    assert.equal(right.body.statuspage.url, host);
    const served = await home(host);
    assert.equal(served.status, 200);
    assert.match(served.text, /Proven Acme/);
  });

  test('several pages may claim one name; the one whose record is in DNS gets it, taking it from a page that had it', async () => {
    const host = `${unique('contested')}.example.com`;
    const squatter = await page({ name: 'Squatter', hostname: host }, h.other.rw);
    const owner = await page({ name: 'Owner', hostname: host });
    dns.publish(squatter.hostname_verification);
    assert.equal((await verify(squatter.uuid, h.other.rw)).body.statuspage.url, host);
    assert.match((await home(host)).text, /Squatter/);
    // The name's DNS now names the owner's page.
    dns.remove(`_vigil.${host}`);
    dns.publish(owner.hostname_verification);
    assert.equal((await verify(owner.uuid)).body.statuspage.url, host);
    assert.match((await home(host)).text, /Owner/);
    const lost = await h.request('GET', `/v2/statuspages/${squatter.uuid}`, { key: h.other.rw });
    assert.equal(lost.body.statuspage.url, squatter.hostedsubdomain);
    assert.equal(lost.body.statuspage.hostname_verification.verified, false);
    assert.equal(lost.body.statuspage.hostname, host, 'its claim stays');
  });

  test('a changed hostname is proven again (by the same record value) before it is served', async () => {
    const host = `${unique('moving')}.example.com`;
    const sp = await page({ name: 'Mover', hostname: host });
    dns.publish(sp.hostname_verification);
    await verify(sp.uuid);
    const moved = (await h.request('PUT', `/v2/statuspages/${sp.uuid}`, { body: { hostname: `new-${host}` } })).body
      .statuspage;
    assert.equal(moved.hostname_verification.value, sp.hostname_verification.value, 'one token per page');
    assert.equal(moved.hostname_verification.name, `_vigil.new-${host}`);
    assert.equal(moved.hostname_verification.verified, false);
    assert.equal(moved.url, sp.hostedsubdomain);
    assert.equal((await home(host)).status, 302, 'the old name no longer serves it');
    const back = (await h.request('PUT', `/v2/statuspages/${sp.uuid}`, { body: { hostname: host } })).body.statuspage;
    assert.equal(back.hostname_verification.verified, false);
    assert.equal((await verify(sp.uuid)).body.statuspage.url, host, 'its record is still in place');
    const cleared = (await h.request('PUT', `/v2/statuspages/${sp.uuid}`, { body: { hostname: null } })).body
      .statuspage;
    assert.equal(cleared.hostname, null);
    assert.equal(cleared.hostname_verification, null);
    assert.equal((await home(host)).status, 302);
    const none = await verify(sp.uuid);
    assert.equal(none.status, 422);
    assert.equal(none.body.message, 'this status page has no hostname to verify');
  });

  test("the server's own host name and names under the hosted domain are refused", async () => {
    for (const [hostname, message] of [
      [OWN_HOST, `hostname ${OWN_HOST} is this server's own host name and cannot serve a status page`],
      [OWN_HOST.toUpperCase(), `hostname ${OWN_HOST} is this server's own host name and cannot serve a status page`],
      ['acme.hyperping.app', "hostname cannot be under hyperping.app: that is where pages' hosted subdomains live"],
    ]) {
      const res = await h.request('POST', '/v2/statuspages', { body: { name: 'x', hostname } });
      assert.equal(res.status, 422, hostname);
      assert.equal(res.body.message, message);
    }
  });

  test("verify needs a read-write key of the page's project", async () => {
    const sp = await page({ hostname: `${unique('keys')}.example.com` });
    assert.equal((await verify(sp.uuid, h.ro)).status, 403);
    assert.equal((await verify(sp.uuid, h.other.rw)).status, 404);
  });

  test('the background lookups prove due claims: at once when new, every minute on the first day, hourly after', async () => {
    const txt = createTxtLookup([dns.env.VIGIL_DNS_SERVERS]);
    // Everything earlier tests left unproven is looked at first: start from a quiet state.
    now += 7 * 24 * 3600_000;
    await proveDueHostnames(h.ctx, txt, 1000);
    const host = `${unique('background')}.example.com`;
    const sp = await page({ hostname: host });
    assert.equal(await proveDueHostnames(h.ctx, txt), 1, 'a new claim is due at once');
    assert.equal(await proveDueHostnames(h.ctx, txt), 0);
    now += 59_000;
    assert.equal(await proveDueHostnames(h.ctx, txt), 0);
    dns.publish(sp.hostname_verification);
    now += 1000;
    assert.equal(await proveDueHostnames(h.ctx, txt), 1);
    assert.equal((await home(host)).status, 200);
    // A claim a day old and unproven is looked up hourly (as are the other tests' claims).
    const late = await page({ hostname: `${unique('late')}.example.com` });
    const checked = async () =>
      (await h.request('GET', `/v2/statuspages/${late.uuid}`)).body.statuspage.hostname_verification.checked_at;
    await proveDueHostnames(h.ctx, txt, 1000);
    now += 25 * 3600_000;
    await proveDueHostnames(h.ctx, txt, 1000);
    assert.equal(await checked(), new Date(now).toISOString(), 'due after an hour without a lookup');
    const before = now;
    now += 5 * 60_000;
    assert.equal(await proveDueHostnames(h.ctx, txt, 1000), 0, 'nothing is due minutes later');
    now += 3600_000;
    await proveDueHostnames(h.ctx, txt, 1000);
    assert.notEqual(await checked(), new Date(before).toISOString());
    // Sending the same unproven claim again asks for a lookup at once.
    assert.equal(
      (await h.request('PUT', `/v2/statuspages/${late.uuid}`, { body: { hostname: late.hostname } })).status,
      200,
    );
    assert.equal(await proveDueHostnames(h.ctx, txt), 1);
  });
});
