import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { LANGUAGES, parseLocalizedText } from '../../src/domain/localized.ts';
import { ValidationError } from '../../src/domain/errors.ts';

const opts = { max: 20, requireOne: false };
const isValidation = (field: RegExp) => (e: unknown) => e instanceof ValidationError && field.test(e.message);

describe('localized texts', () => {
  test('every supported language is kept as given, blanks and surrounding spaces included', () => {
    const all = Object.fromEntries(LANGUAGES.map((l) => [l, ` ${l} `]));
    assert.deepEqual(parseLocalizedText(all, 'title', opts), all);
    assert.deepEqual(parseLocalizedText({ en: '', fr: 'Panne' }, 'title', opts), { en: '', fr: 'Panne' });
    assert.deepEqual(parseLocalizedText({}, 'text', opts), {});
  });

  test('a string, an array or null is not a localized text, and the field is named', () => {
    for (const bad of ['Down', ['en'], null, undefined, 3])
      assert.throws(() => parseLocalizedText(bad, 'title', opts), isValidation(/^title /), String(bad));
  });

  test('an unsupported language is refused, naming the field and the language', () => {
    for (const lang of ['pl', 'EN', 'en-US', 'xx', '']) {
      assert.throws(
        () => parseLocalizedText({ en: 'ok', [lang]: 'x' }, 'text', opts),
        isValidation(new RegExp(`text\\.${lang}`)),
        lang,
      );
    }
  });

  test('a non-string text is refused, naming the language', () => {
    for (const bad of [3, null, { en: 'x' }, ['x']])
      assert.throws(() => parseLocalizedText({ de: bad }, 'text', opts), isValidation(/text\.de/), String(bad));
  });

  test('texts longer than the maximum are refused; the maximum itself is fine', () => {
    assert.equal(parseLocalizedText({ en: 'x'.repeat(20) }, 'title', opts).en?.length, 20);
    assert.throws(() => parseLocalizedText({ en: 'x'.repeat(21) }, 'title', opts), isValidation(/title\.en/));
  });

  test('NUL characters are refused (PostgreSQL text cannot hold them); line breaks are fine', () => {
    assert.throws(() => parseLocalizedText({ fr: 'a\0b' }, 'text', opts), isValidation(/text\.fr/));
    assert.equal(parseLocalizedText({ fr: 'a\nb\tc' }, 'text', opts).fr, 'a\nb\tc');
  });

  test('requireOne demands a non-blank text in at least one language', () => {
    const one = { max: 20, requireOne: true };
    for (const bad of [{}, { en: '' }, { en: '  ', fr: '\n' }])
      assert.throws(() => parseLocalizedText(bad, 'title', one), isValidation(/^title /), JSON.stringify(bad));
    assert.deepEqual(parseLocalizedText({ en: '', ja: '障害' }, 'title', one), { en: '', ja: '障害' });
  });
});
