import { ValidationError } from './errors.ts';
import { LANGUAGES_MAX, checkEntries } from './limits.ts';

/** The languages a LocalizedText may carry (api-contract §4.2). */
export const LANGUAGES = ['en', 'fr', 'de', 'ru', 'nl', 'es', 'it', 'pt', 'ja', 'zh'] as const;

export type Language = (typeof LANGUAGES)[number];
export type LocalizedText = Partial<Record<Language, string>>;

/**
 * A `{en: "...", fr: "..."}` object, kept as given (clients compare what they sent).
 * `requireOne` demands at least one non-blank language, as a title or an update's text needs.
 */
export function parseLocalizedText(
  value: unknown,
  field: string,
  opts: { max: number; requireOne: boolean },
): LocalizedText {
  if (value === null || typeof value !== 'object' || Array.isArray(value)) {
    throw new ValidationError(`${field} must be an object of texts by language, such as {"en":"…"}`);
  }
  checkEntries(value, field, LANGUAGES_MAX);
  const out: LocalizedText = {};
  for (const [lang, text] of Object.entries(value)) {
    if (!LANGUAGES.includes(lang as Language))
      throw new ValidationError(`${field}.${lang} is not a supported language (${LANGUAGES.join(', ')})`);
    if (typeof text !== 'string') throw new ValidationError(`${field}.${lang} must be a string`);
    if (text.length > opts.max) throw new ValidationError(`${field}.${lang} must be at most ${opts.max} characters`);
    if (text.includes('\0')) throw new ValidationError(`${field}.${lang} must not contain NUL characters`);
    out[lang as Language] = text;
  }
  if (opts.requireOne && !Object.values(out).some((t) => t.trim() !== '')) {
    throw new ValidationError(`${field} must have a non-empty text in at least one language`);
  }
  return out;
}
