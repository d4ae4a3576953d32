import { Type, type TSchema } from 'typebox';
import { DATE_MAX, EMAIL_MAX, ID_LIST_MAX, ID_MAX, LANGUAGES_MAX, NAME_MAX, SEARCH_MAX } from '../domain/limits.ts';
import { LANGUAGES } from '../domain/localized.ts';

/**
 * Field schemas shared by several routes (defined once, STYLE.md §3). Every string and list a
 * request carries has a bound, read from the domain's constants (domain/limits.ts and the one
 * beside each resource's rules), so that the schema, the domain and /openapi.json agree.
 */
export const Nullable = <T extends TSchema>(t: T) => Type.Union([t, Type.Null()]);

export const Message = Type.Object({ message: Type.String() }, { description: 'Message' });
export const AuthError = Type.Object({ error: Type.String() }, { description: 'Authentication or permission failure' });

/** A 0-based page number; bounded, so page × size stays a valid SQL OFFSET. */
export const PageNumber = Type.Integer({ minimum: 0, maximum: 1_000_000, default: 0 });

export const Id = (description?: string) => Type.String({ maxLength: ID_MAX, ...(description ? { description } : {}) });

export const UuidParam = (prefix: string) => Type.Object({ uuid: Id(`Public id (${prefix}_…)`) });

export const IdList = (description: string) => Type.Array(Id(), { maxItems: ID_LIST_MAX, description });

export const IsoDate = (description: string) =>
  Type.String({ maxLength: DATE_MAX, description: `${description} (ISO 8601 with a zone)` });

export const Name = (description?: string) =>
  Type.String({ minLength: 1, maxLength: NAME_MAX, ...(description ? { description } : {}) });

export const Search = (description?: string) =>
  Type.String({ maxLength: SEARCH_MAX, ...(description ? { description } : {}) });

export const Email = (description?: string) =>
  Type.String({ maxLength: EMAIL_MAX, ...(description ? { description } : {}) });

/** `{en, fr, …}`: every language optional, each text at most `maxLength` (incidents, maintenance windows). */
export const LocalizedText = (maxLength: number) =>
  Type.Object(Object.fromEntries(LANGUAGES.map((l) => [l, Type.Optional(Type.String({ maxLength }))])), {
    maxProperties: LANGUAGES_MAX,
    description: `Text by language (${LANGUAGES.join(', ')}), each at most ${maxLength} characters`,
  });

/** A status page's text: a plain string (in the page's default language) or texts by language. */
export const TextOrLocalized = (maxLength: number) =>
  Type.Union(
    [
      Type.String({ maxLength }),
      Type.Record(Type.String(), Type.String({ maxLength }), { maxProperties: LANGUAGES_MAX }),
    ],
    { description: `A text, or texts by language; each at most ${maxLength} characters` },
  );

/**
 * Answers a request can get before its route's own rules run: a body that is not JSON or a path
 * with a bad percent-encoding (400), a body over 1 MiB (413), a body of another content type
 * (415), each with a JSON message (api-contract §14.8). Documented on every API route alike.
 */
export const requestErrors = {
  400: Message,
  413: Message,
  415: Message,
};

/** Error responses every authenticated route can give (auth-spec.md, api-contract §1.9). */
export const apiErrors = {
  ...requestErrors,
  401: AuthError,
  403: AuthError,
  429: Message,
};

/** A route with an id in its path: unknown (or another project's) is 404, one past ID_MAX 422. */
export const idErrors = {
  404: Message,
  422: Message,
};
