import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import {
  FONTS,
  PAGE_LANGUAGES,
  THEMES,
  applyPageInput,
  defaultSettings,
  parseSubdomain,
  slugify,
  type PageFields,
} from '../../src/domain/statuspages.ts';
import { ValidationError } from '../../src/domain/errors.ts';

const isValidation = (field: RegExp) => (e: unknown) => e instanceof ValidationError && field.test(e.message);
const blank = (): PageFields => ({
  name: '',
  subdomain: null,
  hostname: null,
  settings: defaultSettings(),
  password: undefined,
  sections: undefined,
});
const stored = (): PageFields => ({
  name: 'Acme',
  subdomain: 'acme',
  hostname: 'status.acme.com',
  settings: defaultSettings(),
  password: undefined,
  sections: undefined,
});
const update = (input: Record<string, unknown>) => applyPageInput(stored(), input, false);
const service = (ref: unknown, extra: Record<string, unknown> = {}) => ({ monitor_uuid: ref, ...extra });
const sections = (...services: unknown[]) => update({ sections: [{ name: 'Core', services }] }).sections!;

describe('page defaults', () => {
  test('a new page is English, system theme, Inter, subscribable by email, and open to all', () => {
    const s = defaultSettings();
    assert.deepEqual(
      [s.languages, s.default_language, s.theme, s.font, s.accent_color, s.logo_height],
      [['en'], 'en', 'system', 'Inter', '#36b27e', '32px'],
    );
    assert.deepEqual(s.subscribe, { enabled: true, email: true, slack: false, teams: false, sms: false });
    assert.equal(s.authentication.password_protection, false);
  });

  test('each call gives a fresh copy that no page can change for the next', () => {
    const a = defaultSettings();
    a.languages.push('fr');
    a.subscribe.sms = true;
    assert.deepEqual(defaultSettings().languages, ['en']);
    assert.equal(defaultSettings().subscribe.sms, false);
  });
});

describe('subdomains', () => {
  test('the hosted domain is stripped and the rest lower-cased', () => {
    assert.equal(parseSubdomain('acme'), 'acme');
    assert.equal(parseSubdomain('Acme-1.Hyperping.App'), 'acme-1');
    assert.equal(parseSubdomain('x'.repeat(63)), 'x'.repeat(63));
  });

  test('a subdomain is 1 to 63 letters, digits or inner hyphens, one label only', () => {
    for (const bad of ['', ' ', '-acme', 'acme-', 'a_b', 'a.b', 'acme.example.com', 'x'.repeat(64), 'café', 7, null]) {
      assert.throws(() => parseSubdomain(bad), isValidation(/subdomain/), String(bad));
    }
  });

  test('a name becomes a subdomain: accents dropped, other runs of characters one hyphen, at most 40 characters', () => {
    assert.equal(slugify('Acme Status Page'), 'acme-status-page');
    assert.equal(slugify('  Café  Crème — Paris! '), 'cafe-creme-paris');
    const long = slugify('Word '.repeat(20));
    assert.ok(long.length <= 40 && !long.endsWith('-'), long);
    assert.equal(slugify(`${'abcdefghij'.repeat(3)}abcdefghi-xyz`), `${'abcdefghij'.repeat(3)}abcdefghi`);
  });

  test('a name with nothing usable gives "status"', () => {
    for (const name of ['', '!!!', '状態', '---']) assert.equal(slugify(name), 'status', name);
  });
});

describe('page input: fields', () => {
  test('a create needs a name; the body must be an object', () => {
    assert.throws(() => applyPageInput(blank(), {}, true), isValidation(/name/));
    assert.equal(applyPageInput(blank(), { name: 'Acme' }, true).name, 'Acme');
    for (const bad of [null, [], 'x']) assert.throws(() => applyPageInput(blank(), bad, true), ValidationError);
    for (const name of ['', '  ', 'x'.repeat(256), 5, null, 'a\0b'])
      assert.throws(() => update({ name }), isValidation(/name/), String(name));
  });

  test('an update changes only what it sends, returns no password or sections change, and leaves the current page alone', () => {
    const current = stored();
    current.password = 'old-ignored';
    const before = structuredClone(current);
    const out = applyPageInput(current, { theme: 'dark', unknown: 1 }, false);
    assert.deepEqual(out, {
      ...before,
      settings: { ...before.settings, theme: 'dark' },
      password: undefined,
      sections: undefined,
    });
    assert.deepEqual(current, before);
  });

  test('subdomain: null or "" removes it', () => {
    assert.equal(update({ subdomain: null }).subdomain, null);
    assert.equal(update({ subdomain: '' }).subdomain, null);
    assert.equal(update({ subdomain: 'new.hyperping.app' }).subdomain, 'new');
  });

  test('hostname: a lower-cased domain name of two labels or more; null or "" removes it', () => {
    assert.equal(update({ hostname: 'Status.Example.COM' }).hostname, 'status.example.com');
    assert.equal(update({ hostname: null }).hostname, null);
    assert.equal(update({ hostname: '' }).hostname, null);
    for (const bad of [
      'localhost',
      'status.example.com.',
      'http://status.example.com',
      '-a.example.com',
      'a..b.com',
      '1.2.3.4',
      'a b.com',
      `${'a'.repeat(63)}.${'b'.repeat(63)}.${'c'.repeat(63)}.${'d'.repeat(62)}.com`,
    ]) {
      assert.throws(() => update({ hostname: bad }), isValidation(/hostname/), bad);
    }
  });

  test('languages: a non-empty list of page languages, duplicates dropped', () => {
    assert.deepEqual(update({ languages: ['fr', 'en', 'fr'] }).settings.languages, ['fr', 'en']);
    for (const languages of [[], 'en', null])
      assert.throws(() => update({ languages }), isValidation(/languages/), String(languages));
    assert.throws(() => update({ languages: ['en', 'ja'] }), isValidation(/languages\[1\]/));
    for (const l of PAGE_LANGUAGES) assert.deepEqual(update({ languages: [l] }).settings.languages, [l]);
  });

  test("the default language must be one of the page's; dropping it moves the default to the first language", () => {
    assert.equal(update({ languages: ['fr', 'de'] }).settings.default_language, 'fr');
    assert.equal(update({ languages: ['en', 'de'], default_language: 'de' }).settings.default_language, 'de');
    assert.throws(() => update({ default_language: 'fr' }), isValidation(/default_language/));
    assert.throws(() => update({ languages: ['fr'], default_language: 'en' }), isValidation(/default_language/));
    assert.throws(() => update({ default_language: 'ja' }), isValidation(/default_language/));
  });

  test('website, logo and favicon: http(s) URLs; empty clears them', () => {
    const out = update({
      website: 'https://acme.com',
      logo: 'https://cdn.acme.com/logo.png',
      favicon: 'http://acme.com/f.ico',
    });
    assert.deepEqual(
      [out.settings.website, out.settings.logo, out.settings.favicon],
      ['https://acme.com', 'https://cdn.acme.com/logo.png', 'http://acme.com/f.ico'],
    );
    const cleared = update({ website: null, logo: '', favicon: null });
    assert.deepEqual([cleared.settings.website, cleared.settings.logo, cleared.settings.favicon], ['', null, null]);
    for (const field of ['website', 'logo', 'favicon']) {
      for (const bad of [
        'javascript:alert(1)',
        'data:image/png;base64,AAAA',
        'acme.com',
        `https://acme.com/${'x'.repeat(2048)}`,
        3,
      ]) {
        assert.throws(
          () => update({ [field]: bad }),
          isValidation(new RegExp(`^${field}`)),
          `${field} ${String(bad).slice(0, 30)}`,
        );
      }
    }
  });

  test('a description written as a string fills the default language and blanks the others', () => {
    const current = stored();
    current.settings.languages = ['en', 'fr'];
    current.settings.default_language = 'fr';
    current.settings.description = { en: 'old', fr: 'ancien', de: '', ru: '', nl: '' };
    assert.deepEqual(applyPageInput(current, { description: 'Statut' }, false).settings.description, {
      en: '',
      fr: 'Statut',
      de: '',
      ru: '',
      nl: '',
    });
    assert.deepEqual(applyPageInput(current, { description: null }, false).settings.description, {
      en: '',
      fr: '',
      de: '',
      ru: '',
      nl: '',
    });
  });

  test('a description written as a map is kept as given; keys must be two-letter codes and texts at most 5000 characters', () => {
    assert.deepEqual(update({ description: { en: 'Status', pl: 'Stan' } }).settings.description, {
      en: 'Status',
      pl: 'Stan',
    });
    assert.throws(() => update({ description: { english: 'x' } }), isValidation(/description\.english/));
    assert.throws(() => update({ description: { en: 3 } }), isValidation(/description\.en/));
    assert.throws(() => update({ description: 'x'.repeat(5001) }), isValidation(/description/));
    assert.throws(() => update({ description: ['x'] }), isValidation(/description/));
  });

  test('theme and font come from their lists', () => {
    for (const theme of THEMES) assert.equal(update({ theme }).settings.theme, theme);
    for (const font of FONTS) assert.equal(update({ font }).settings.font, font);
    assert.throws(() => update({ theme: 'blue' }), isValidation(/theme/));
    assert.throws(() => update({ font: 'Comic Sans MS' }), isValidation(/font/));
    assert.throws(() => update({ font: 'inter' }), isValidation(/font/));
  });

  test('accent colour: # and six hex digits', () => {
    assert.equal(update({ accent_color: '#A0b1C2' }).settings.accent_color, '#A0b1C2');
    for (const bad of ['#fff', '36b27e', '#36b27g', '#36b27e0', 'red', ''])
      assert.throws(() => update({ accent_color: bad }), isValidation(/accent_color/), bad);
  });

  test('logo height: a CSS length in px, rem, em or %', () => {
    for (const ok of ['32px', '2.5rem', '1em', '100%', '9999px'])
      assert.equal(update({ logo_height: ok }).settings.logo_height, ok);
    for (const bad of ['32', 'px', '32 px', '-3px', '1.234em', '10vh', '32px;color:red', ''])
      assert.throws(() => update({ logo_height: bad }), isValidation(/logo_height/), bad);
  });

  test('switches are booleans', () => {
    const out = update({
      auto_refresh: true,
      banner_header: false,
      hide_powered_by: true,
      hide_from_search_engines: true,
    });
    assert.deepEqual(
      [
        out.settings.auto_refresh,
        out.settings.banner_header,
        out.settings.hide_powered_by,
        out.settings.hide_from_search_engines,
      ],
      [true, false, true, true],
    );
    for (const k of ['auto_refresh', 'banner_header', 'hide_powered_by', 'hide_from_search_engines'])
      assert.throws(() => update({ [k]: 'true' }), isValidation(new RegExp(k)), k);
  });

  test('google analytics: a measurement id of letters, digits and hyphens; empty clears it', () => {
    assert.equal(update({ google_analytics: 'G-ABC123' }).settings.google_analytics, 'G-ABC123');
    assert.equal(update({ google_analytics: '' }).settings.google_analytics, null);
    for (const bad of ['G-ABC 123', '<script>', 'G-'.padEnd(33, 'X')])
      assert.throws(() => update({ google_analytics: bad }), isValidation(/google_analytics/), bad);
  });

  test('subscribe: known switches are set one by one, unknown keys ignored, values must be booleans', () => {
    assert.deepEqual(update({ subscribe: { sms: true, email: false, pigeon: true } }).settings.subscribe, {
      enabled: true,
      email: false,
      slack: false,
      teams: false,
      sms: true,
    });
    assert.throws(() => update({ subscribe: { sms: 'yes' } }), isValidation(/subscribe\.sms/));
    assert.throws(() => update({ subscribe: true }), isValidation(/subscribe/));
  });

  test('authentication: password protection and allowed domains are taken; single sign-on is refused', () => {
    const out = update({
      authentication: { password_protection: true, google_allowed_domains: ['acme.com'], sso_connection_uuid: '' },
    });
    assert.equal(out.settings.authentication.password_protection, true);
    assert.deepEqual(out.settings.authentication.google_allowed_domains, ['acme.com']);
    assert.equal(out.settings.authentication.sso_connection_uuid, null);
    assert.throws(() => update({ authentication: { google_sso: true } }), isValidation(/single sign-on/));
    assert.throws(() => update({ authentication: { saml_sso: true } }), isValidation(/single sign-on/));
    assert.throws(
      () => update({ authentication: { password_protection: 1 } }),
      isValidation(/authentication\.password_protection/),
    );
    assert.throws(
      () => update({ authentication: { google_allowed_domains: 'acme.com' } }),
      isValidation(/authentication\.google_allowed_domains/),
    );
    assert.throws(() => update({ authentication: [] }), isValidation(/authentication/));
  });

  test('password: a string of 4 to 200 characters sets it; null or "" removes it', () => {
    assert.equal(update({ password: 'abcd' }).password, 'abcd');
    assert.equal(update({ password: null }).password, null);
    assert.equal(update({ password: '' }).password, null);
    for (const bad of ['abc', 'x'.repeat(201), 1234])
      assert.throws(() => update({ password: bad }), isValidation(/password/), String(bad));
  });
});

describe('page input: sections and services', () => {
  test('sections are parsed only when sent', () => {
    assert.equal(update({}).sections, undefined);
    assert.deepEqual(update({ sections: [] }).sections, []);
  });

  test('a service shows a monitor by mon_ uuid or numeric id, or a healthcheck by hc_ id, with defaults', () => {
    const [sec] = sections(service('mon_abc'), service(42), service('43'), service('hc_xyz'));
    assert.deepEqual(sec.name, { en: 'Core' });
    assert.equal(sec.is_split, false);
    assert.deepEqual(
      sec.services.map((s) => [s.monitor, s.healthcheck]),
      [
        ['mon_abc', null],
        ['42', null],
        ['43', null],
        [null, 'hc_xyz'],
      ],
    );
    assert.deepEqual(sec.services[0], {
      monitor: 'mon_abc',
      healthcheck: null,
      name: null,
      description: {},
      is_group: false,
      show_uptime: true,
      show_response_times: false,
      services: [],
    });
  });

  test("a service name given as a string is in the page's default language", () => {
    const current = stored();
    current.settings.languages = ['de'];
    current.settings.default_language = 'de';
    const [sec] = applyPageInput(
      current,
      { sections: [{ name: 'Kern', services: [service('mon_a', { name_shown: 'API' })] }] },
      false,
    ).sections!;
    assert.deepEqual(sec.name, { de: 'Kern' });
    assert.deepEqual(sec.services[0].name, { de: 'API' });
  });

  test('a service needs a valid reference, and a ping token is refused as one', () => {
    assert.throws(() => sections({ name_shown: 'x' }), isValidation(/sections\[0\]\.services\[0\]\.monitor_uuid/));
    for (const bad of [0, -1, 1.5, 'mon_', 'mon_a-b', 'abc', '1234567890123456', 'hc_', {}]) {
      assert.throws(
        () => sections(service('mon_ok'), service(bad)),
        isValidation(/sections\[0\]\.services\[1\]\.monitor_uuid/),
        JSON.stringify(bad),
      );
    }
    assert.throws(() => sections(service('tok_abcdef')), isValidation(/ping token/));
  });

  test('a healthcheck has no response times to show', () => {
    assert.throws(() => sections(service('hc_a', { show_response_times: true })), isValidation(/show_response_times/));
    assert.equal(sections(service('mon_a', { show_response_times: true }))[0].services[0].show_response_times, true);
  });

  test('a group needs a name, holds services written with uuid and name, and cannot be nested', () => {
    const [sec] = sections({
      is_group: true,
      name_shown: 'Edge',
      services: [{ uuid: 'mon_a', name: 'CDN' }, { uuid: 7 }],
    });
    const g = sec.services[0];
    assert.deepEqual([g.is_group, g.monitor, g.healthcheck, g.name], [true, null, null, { en: 'Edge' }]);
    assert.deepEqual(
      g.services.map((c) => [c.monitor, c.name]),
      [
        ['mon_a', { en: 'CDN' }],
        ['7', null],
      ],
    );
    assert.throws(() => sections({ is_group: true, services: [] }), isValidation(/name_shown/));
    assert.throws(
      () => sections({ is_group: true, name_shown: 'G', services: [{ is_group: true, name: 'H' }] }),
      isValidation(/services\[0\]\.services\[0\]: groups cannot be nested/),
    );
    assert.throws(
      () => sections({ is_group: true, name_shown: 'G', services: 'mon_a' }),
      isValidation(/services\[0\]\.services/),
    );
  });

  test('only a group may hold services', () => {
    assert.throws(
      () => sections(service('mon_a', { services: [{ uuid: 'mon_b' }] })),
      isValidation(/services\[0\]\.services/),
    );
    assert.equal(sections(service('mon_a', { services: [] }))[0].services.length, 1);
  });

  test('switches of a service are booleans', () => {
    for (const k of ['is_group', 'show_uptime', 'show_response_times']) {
      assert.throws(
        () => sections(service('mon_a', { [k]: 'yes' })),
        isValidation(new RegExp(`services\\[0\\]\\.${k}`)),
        k,
      );
    }
    assert.equal(sections(service('mon_a', { show_uptime: false }))[0].services[0].show_uptime, false);
  });

  test('sections: a list of at most 50 objects, each named, with a list of services', () => {
    for (const bad of ['x', null, {}])
      assert.throws(() => update({ sections: bad }), isValidation(/sections/), String(bad));
    assert.throws(
      () => update({ sections: Array.from({ length: 51 }, () => ({ name: 's' })) }),
      isValidation(/sections/),
    );
    assert.equal(update({ sections: Array.from({ length: 50 }, () => ({ name: 's' })) }).sections!.length, 50);
    assert.throws(() => update({ sections: [{ name: 's' }, 'x'] }), isValidation(/sections\[1\]/));
    assert.throws(() => update({ sections: [{ services: [] }] }), isValidation(/sections\[0\]\.name/));
    assert.throws(
      () => update({ sections: [{ name: 's', services: 'mon_a' }] }),
      isValidation(/sections\[0\]\.services/),
    );
    assert.deepEqual(update({ sections: [{ name: { en: 'A', fr: 'B' }, is_split: true, services: null }] }).sections, [
      { name: { en: 'A', fr: 'B' }, is_split: true, services: [] },
    ]);
  });

  test('a page shows at most 500 services across its sections, at most 100 in a section', () => {
    const svc = (n: number) => Array.from({ length: n }, (_, i) => service(`mon_${i}`));
    const sections = (sizes: number[]) => sizes.map((n, i) => ({ name: `s${i}`, services: svc(n) }));
    assert.equal(update({ sections: sections([100, 100, 100, 100, 100]) }).sections!.length, 5);
    assert.throws(
      () => update({ sections: sections([100, 100, 100, 100, 100, 1]) }),
      isValidation(/sections\[5\]\.services\[0\].*at most 500 services/),
    );
    assert.throws(() => update({ sections: sections([101]) }), isValidation(/sections\[0\]\.services/));
  });

  test('services inside groups count towards the 500 too, at most 100 in a group', () => {
    const group = (n: number) => ({
      is_group: true,
      name_shown: 'All',
      services: Array.from({ length: n }, (_, i) => ({ uuid: `mon_${i}` })),
    });
    assert.throws(
      () => update({ sections: [{ name: 'a', services: [group(101)] }] }),
      isValidation(/sections\[0\]\.services\[0\]\.services/),
    );
    // Five groups of 99 plus the five groups themselves make 500; one more service is one too many.
    const five = Array.from({ length: 5 }, () => group(99));
    assert.equal(update({ sections: [{ name: 'a', services: five }] }).sections!.length, 1);
    assert.throws(
      () => update({ sections: [{ name: 'a', services: [...five, service('mon_x')] }] }),
      isValidation(/at most 500 services/),
    );
  });
});
