import { createHash } from 'node:crypto';
import { ConflictError, ValidationError } from '../domain/errors.ts';
import { randomAlnum } from '../domain/ids.ts';
import {
  generateRecoveryCodes,
  generateTotpSecret,
  hashRecoveryCode,
  matchTotp,
  normalizeRecoveryCode,
  otpauthUri,
} from '../domain/totp.ts';
import { verifyUserPassword } from './users.ts';
import type { Ctx } from './context.ts';

/**
 * Optional two-factor sign-in (TOTP, domain/totp.ts): enrolment confirmed by a code, ten
 * one-time recovery codes stored as hashes, turning it off, and the sign-ins that wait for their
 * code between the password and the session.
 */

/** A sign-in waiting for its code lasts this long, and ends after this many wrong codes. */
export const PENDING_SIGN_IN_MS = 5 * 60_000;
export const PENDING_SIGN_IN_ATTEMPTS = 5;
const PENDING_TOKEN = /^vp_[A-Za-z0-9]{40}$/;
const hashToken = (token: string) => createHash('sha256').update(token).digest('hex');

export interface TwoFactorStatus {
  enabled: boolean;
  enabledAt: number | null;
  recoveryCodesLeft: number;
}

export async function twoFactorStatus(ctx: Ctx, userId: number): Promise<TwoFactorStatus> {
  const row = await ctx.store.db
    .selectFrom('users')
    .select(['totp_secret', 'totp_enabled_at'])
    .where('id', '=', userId)
    .executeTakeFirstOrThrow();
  const left = await ctx.store.db
    .selectFrom('recovery_codes')
    .select((eb) => eb.fn.countAll<number>().as('n'))
    .where('user_id', '=', userId)
    .where('used_at', 'is', null)
    .executeTakeFirstOrThrow();
  return { enabled: row.totp_secret !== null, enabledAt: row.totp_enabled_at, recoveryCodesLeft: Number(left.n) };
}

export async function hasTwoFactor(ctx: Ctx, userId: number): Promise<boolean> {
  const row = await ctx.store.db.selectFrom('users').select('totp_secret').where('id', '=', userId).executeTakeFirst();
  return !!row?.totp_secret;
}

export interface Enrolment {
  secret: string;
  uri: string;
}

/** A new secret to enrol, replacing one not yet confirmed; refused while two-factor sign-in is on. */
export async function startEnrolment(ctx: Ctx, user: { id: number; email: string }): Promise<Enrolment> {
  const secret = generateTotpSecret();
  const res = await ctx.store.db
    .updateTable('users')
    .set({ totp_pending_secret: secret })
    .where('id', '=', user.id)
    .where('totp_secret', 'is', null)
    .executeTakeFirst();
  if (Number(res.numUpdatedRows) === 0) throw new ConflictError('Two-factor sign-in is already on');
  return { secret, uri: otpauthUri(secret, user.email) };
}

/** The secret being enrolled, if an enrolment was started and not yet confirmed. */
export async function pendingEnrolment(ctx: Ctx, user: { id: number; email: string }): Promise<Enrolment | null> {
  const row = await ctx.store.db
    .selectFrom('users')
    .select(['totp_secret', 'totp_pending_secret'])
    .where('id', '=', user.id)
    .executeTakeFirst();
  const secret = row && row.totp_secret === null ? row.totp_pending_secret : null;
  return secret ? { secret, uri: otpauthUri(secret, user.email) } : null;
}

/** Replaces the user's recovery codes with ten new ones, in `db`; returns them (shown once). */
async function replaceRecoveryCodes(db: Ctx['store']['db'], userId: number): Promise<string[]> {
  const codes = generateRecoveryCodes();
  await db.deleteFrom('recovery_codes').where('user_id', '=', userId).execute();
  await db
    .insertInto('recovery_codes')
    .values(codes.map((c) => ({ user_id: userId, code_hash: hashRecoveryCode(c), used_at: null })))
    .execute();
  return codes;
}

/**
 * Turns two-factor sign-in on once `code` is right for the secret being enrolled; returns the
 * ten recovery codes, which exist nowhere else afterwards (only their hashes are kept).
 */
export async function confirmEnrolment(ctx: Ctx, userId: number, code: string): Promise<string[]> {
  const row = await ctx.store.db
    .selectFrom('users')
    .select(['totp_secret', 'totp_pending_secret'])
    .where('id', '=', userId)
    .executeTakeFirstOrThrow();
  if (row.totp_secret !== null) throw new ConflictError('Two-factor sign-in is already on');
  if (row.totp_pending_secret === null)
    throw new ValidationError('Start again: there is no secret waiting to be confirmed');
  const step = matchTotp(row.totp_pending_secret, code ?? '', ctx.clock(), null);
  if (step === null) throw new ValidationError('That code is not right: type the 6 digits your app shows now');
  return ctx.store.db.transaction().execute(async (trx) => {
    // Only the secret this page showed: a second enrolment started meanwhile wins.
    const on = await trx
      .updateTable('users')
      .set({
        totp_secret: row.totp_pending_secret,
        totp_pending_secret: null,
        totp_last_step: step,
        totp_enabled_at: ctx.clock(),
      })
      .where('id', '=', userId)
      .where('totp_secret', 'is', null)
      .where('totp_pending_secret', '=', row.totp_pending_secret!)
      .executeTakeFirst();
    if (Number(on.numUpdatedRows) === 0) throw new ValidationError('Start again: this secret was replaced');
    return replaceRecoveryCodes(trx, userId);
  });
}

/**
 * Uses a second factor: a 6-digit code of the user's app (its time step is recorded, so the
 * same code never works twice) or one of their recovery codes (marked used). Conditional
 * updates make it hold when two requests race with one code.
 */
export async function useSecondFactor(ctx: Ctx, userId: number, typed: string): Promise<'code' | 'recovery' | null> {
  const input = (typed ?? '').trim();
  if (/^\d[\d\s]*$/.test(input)) {
    const row = await ctx.store.db
      .selectFrom('users')
      .select(['totp_secret', 'totp_last_step'])
      .where('id', '=', userId)
      .executeTakeFirst();
    if (!row?.totp_secret) return null;
    const step = matchTotp(row.totp_secret, input, ctx.clock(), row.totp_last_step);
    if (step === null) return null;
    const used = await ctx.store.db
      .updateTable('users')
      .set({ totp_last_step: step })
      .where('id', '=', userId)
      .where('totp_secret', '=', row.totp_secret)
      .where((eb) => eb.or([eb('totp_last_step', 'is', null), eb('totp_last_step', '<', step)]))
      .executeTakeFirst();
    return Number(used.numUpdatedRows) === 1 ? 'code' : null;
  }
  if (normalizeRecoveryCode(input) === null) return null;
  const used = await ctx.store.db
    .updateTable('recovery_codes')
    .set({ used_at: ctx.clock() })
    .where('user_id', '=', userId)
    .where('code_hash', '=', hashRecoveryCode(input))
    .where('used_at', 'is', null)
    .executeTakeFirst();
  return Number(used.numUpdatedRows) === 1 ? 'recovery' : null;
}

/** Turns two-factor sign-in off when `proof` is the user's password or a current code; false (nothing changed) otherwise. */
export async function disableTwoFactor(ctx: Ctx, userId: number, proof: string): Promise<boolean> {
  const ok = /^\s*\d{6}\s*$/.test(proof ?? '')
    ? (await useSecondFactor(ctx, userId, proof)) === 'code'
    : await verifyUserPassword(ctx, userId, proof ?? '');
  if (!ok) return false;
  await ctx.store.db.transaction().execute(async (trx) => {
    await trx
      .updateTable('users')
      .set({ totp_secret: null, totp_pending_secret: null, totp_last_step: null, totp_enabled_at: null })
      .where('id', '=', userId)
      .execute();
    await trx.deleteFrom('recovery_codes').where('user_id', '=', userId).execute();
  });
  return true;
}

/** Ten new recovery codes (the old ones stop working), when `password` is the user's; null otherwise. */
export async function renewRecoveryCodes(ctx: Ctx, userId: number, password: string): Promise<string[] | null> {
  if (!(await verifyUserPassword(ctx, userId, password))) return null;
  if (!(await hasTwoFactor(ctx, userId))) throw new ConflictError('Two-factor sign-in is off');
  return ctx.store.db.transaction().execute((trx) => replaceRecoveryCodes(trx, userId));
}

export interface PendingSignIn {
  userId: number;
  email: string;
  next: string | null;
}

/** After a right password, when the user has two-factor sign-in: a token for the cookie that the code step reads. No session yet. */
export async function startPendingSignIn(ctx: Ctx, userId: number, next: string | null): Promise<string> {
  const token = `vp_${randomAlnum(40)}`;
  const now = ctx.clock();
  await ctx.store.db.deleteFrom('pending_sign_ins').where('expires_at', '<=', now).execute();
  await ctx.store.db
    .insertInto('pending_sign_ins')
    .values({
      token_hash: hashToken(token),
      user_id: userId,
      next_path: next,
      attempts: 0,
      created_at: now,
      expires_at: now + PENDING_SIGN_IN_MS,
    })
    .execute();
  return token;
}

export async function findPendingSignIn(ctx: Ctx, token: string | undefined): Promise<PendingSignIn | null> {
  if (!token || !PENDING_TOKEN.test(token)) return null;
  const row = await ctx.store.db
    .selectFrom('pending_sign_ins')
    .innerJoin('users', 'users.id', 'pending_sign_ins.user_id')
    .select(['users.id', 'users.email', 'pending_sign_ins.next_path', 'pending_sign_ins.expires_at'])
    .where('pending_sign_ins.token_hash', '=', hashToken(token))
    .executeTakeFirst();
  if (!row || ctx.clock() >= row.expires_at) return null;
  return { userId: row.id, email: row.email, next: row.next_path };
}

/**
 * The code step of a sign-in: 'ok' (the pending sign-in is used up; the caller starts the
 * session), 'wrong', or 'ended' (too many wrong codes, or it expired: sign in again).
 */
export async function completePendingSignIn(ctx: Ctx, token: string, typed: string): Promise<'ok' | 'wrong' | 'ended'> {
  const pending = await findPendingSignIn(ctx, token);
  if (!pending) return 'ended';
  const hash = hashToken(token);
  if (await useSecondFactor(ctx, pending.userId, typed)) {
    const used = await ctx.store.db.deleteFrom('pending_sign_ins').where('token_hash', '=', hash).executeTakeFirst();
    return Number(used.numDeletedRows) === 1 ? 'ok' : 'ended';
  }
  const row = await ctx.store.db
    .updateTable('pending_sign_ins')
    .set((eb) => ({ attempts: eb('attempts', '+', 1) }))
    .where('token_hash', '=', hash)
    .returning('attempts')
    .executeTakeFirst();
  if (!row || row.attempts >= PENDING_SIGN_IN_ATTEMPTS) {
    await ctx.store.db.deleteFrom('pending_sign_ins').where('token_hash', '=', hash).execute();
    return 'ended';
  }
  return 'wrong';
}

export async function endPendingSignIn(ctx: Ctx, token: string | undefined): Promise<void> {
  if (token && PENDING_TOKEN.test(token))
    await ctx.store.db.deleteFrom('pending_sign_ins').where('token_hash', '=', hashToken(token)).execute();
}
