import { Type, type TSchema } from 'typebox';

/** Field schemas shared by several routes (defined once, STYLE.md §3). */
export const Nullable = <T extends TSchema>(t: T) => Type.Union([t, Type.Null()]);

export const Message = Type.Object({ message: Type.String() }, { description: 'Message' });
export const AuthError = Type.Object({ error: Type.String() }, { description: 'Authentication or permission failure' });

/** A 0-based page number; bounded, so page × size stays a valid SQL OFFSET. */
export const PageNumber = Type.Integer({ minimum: 0, maximum: 1_000_000, default: 0 });

export const UuidParam = (prefix: string) =>
  Type.Object({ uuid: Type.String({ maxLength: 128, description: `Public id (${prefix}_…)` }) });

/** Error responses every authenticated route can give (auth-spec.md, api-contract §1.9). */
export const apiErrors = {
  401: AuthError,
  403: AuthError,
  429: Message,
};
