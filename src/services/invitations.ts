import { createHash } from 'node:crypto';
import { ConflictError, NotFoundError, ValidationError } from '../domain/errors.ts';
import { newId, randomAlnum } from '../domain/ids.ts';
import { checkPassword, parseEmail, type Role } from '../domain/users.ts';
import { createUser } from './users.ts';
import { parseRole } from './members.ts';
import { enqueue } from './outbox.ts';
import { iso, type Ctx } from './context.ts';

/** An invitation link works for a week, once. */
export const INVITATION_TTL_MS = 7 * 24 * 3600_000;
/** Open invitations a project may have at once (each may send an email). */
export const MAX_OPEN_INVITATIONS = 50;

const TOKEN = /^inv_[A-Za-z0-9]{40}$/;
const hashToken = (token: string) => createHash('sha256').update(token).digest('hex');

export interface Invitation {
  uuid: string;
  email: string;
  role: Role;
  createdAt: number;
  expiresAt: number;
  invitedBy: string | null;
}

/** What an invitation email says (notify/message.ts renders it). */
export interface InvitationPayload {
  event: 'member.invitation';
  project: string;
  role: Role;
  invitedBy: string;
  link: string;
  expiresAt: string;
}

/**
 * Invites someone to the project by email. The answer is the same whether or not the address has
 * an account anywhere in the installation: a link, shown once to the inviter (and emailed when
 * `ctx.emailEnabled`), with which the invitee sets their own password or signs in and accepts.
 * A new invitation to the same address replaces the open one.
 */
export async function inviteMember(
  ctx: Ctx,
  project: { id: number; name: string },
  input: { email: unknown; role: unknown },
  inviter: { id: number; email: string },
): Promise<Invitation & { link: string; emailed: boolean }> {
  const email = parseEmail(typeof input.email === 'string' ? input.email : '');
  const role = parseRole(input.role);
  const now = ctx.clock();
  const token = `inv_${randomAlnum(40)}`;
  const link = `${ctx.publicUrl ?? ''}/app/invite/${token}`;
  const row = {
    uuid: newId('inv', 20),
    project_id: project.id,
    email,
    role,
    token_hash: hashToken(token),
    invited_by: inviter.id,
    created_at: now,
    expires_at: now + INVITATION_TTL_MS,
    accepted_at: null,
  };
  await ctx.store.db.transaction().execute(async (trx) => {
    await ctx.store.lockRows(trx.selectFrom('projects').select('id').where('id', '=', project.id)).execute();
    const member = await trx
      .selectFrom('project_members')
      .innerJoin('users', 'users.id', 'project_members.user_id')
      .select('users.id')
      .where('project_members.project_id', '=', project.id)
      .where('users.email', '=', email)
      .executeTakeFirst();
    if (member) throw new ConflictError(`${email} is already a member of this project`);
    await trx
      .deleteFrom('invitations')
      .where('project_id', '=', project.id)
      .where('email', '=', email)
      .where('accepted_at', 'is', null)
      .execute();
    const [{ n }] = await trx
      .selectFrom('invitations')
      .select((eb) => eb.fn.countAll<number>().as('n'))
      .where('project_id', '=', project.id)
      .where('accepted_at', 'is', null)
      .where('expires_at', '>', now)
      .execute();
    if (Number(n) >= MAX_OPEN_INVITATIONS)
      throw new ValidationError(
        `A project may have at most ${MAX_OPEN_INVITATIONS} open invitations: revoke some first`,
      );
    await trx.insertInto('invitations').values(row).execute();
    if (ctx.emailEnabled) {
      const payload: InvitationPayload = {
        event: 'member.invitation',
        project: project.name,
        role,
        invitedBy: inviter.email,
        link,
        expiresAt: iso(row.expires_at),
      };
      await enqueue(
        trx,
        [
          {
            project_id: project.id,
            channel_id: null,
            kind: 'email',
            recipient: email,
            outage_id: null,
            step: null,
            event: payload.event,
            payload,
          },
        ],
        now,
      );
    }
  });
  return {
    uuid: row.uuid,
    email,
    role,
    createdAt: now,
    expiresAt: row.expires_at,
    invitedBy: inviter.email,
    link,
    emailed: ctx.emailEnabled === true,
  };
}

/** The project's open invitations, newest first. */
export async function listInvitations(ctx: Ctx, projectId: number): Promise<Invitation[]> {
  const rows = await ctx.store.db
    .selectFrom('invitations')
    .leftJoin('users', 'users.id', 'invitations.invited_by')
    .select([
      'invitations.uuid',
      'invitations.email',
      'invitations.role',
      'invitations.created_at',
      'invitations.expires_at',
      'users.email as inviter',
    ])
    .where('invitations.project_id', '=', projectId)
    .where('invitations.accepted_at', 'is', null)
    .where('invitations.expires_at', '>', ctx.clock())
    .orderBy('invitations.created_at', 'desc')
    .execute();
  return rows.map((r) => ({
    uuid: r.uuid,
    email: r.email,
    role: r.role as Role,
    createdAt: Number(r.created_at),
    expiresAt: Number(r.expires_at),
    invitedBy: r.inviter ?? null,
  }));
}

export async function revokeInvitation(ctx: Ctx, projectId: number, uuid: string): Promise<void> {
  const res = await ctx.store.db
    .deleteFrom('invitations')
    .where('project_id', '=', projectId)
    .where('uuid', '=', uuid)
    .where('accepted_at', 'is', null)
    .executeTakeFirst();
  if (Number(res.numDeletedRows) === 0) throw new NotFoundError('Invitation');
}

/** An open invitation, as its link shows it: to whom, into which project, and whether that address has an account. */
export interface OpenInvitation {
  id: number;
  email: string;
  role: Role;
  projectId: number;
  projectUuid: string;
  projectName: string;
  hasAccount: boolean;
}

/** The invitation of a link, or NotFoundError when it is unknown, used or expired (all alike). */
export async function openInvitation(ctx: Ctx, token: string): Promise<OpenInvitation> {
  if (!TOKEN.test(token)) throw new NotFoundError('Invitation');
  const row = await ctx.store.db
    .selectFrom('invitations')
    .innerJoin('projects', 'projects.id', 'invitations.project_id')
    .select([
      'invitations.id',
      'invitations.email',
      'invitations.role',
      'invitations.project_id',
      'projects.uuid',
      'projects.name',
    ])
    .where('invitations.token_hash', '=', hashToken(token))
    .where('invitations.accepted_at', 'is', null)
    .where('invitations.expires_at', '>', ctx.clock())
    .executeTakeFirst();
  if (!row) throw new NotFoundError('Invitation');
  const user = await ctx.store.db.selectFrom('users').select('id').where('email', '=', row.email).executeTakeFirst();
  return {
    id: Number(row.id),
    email: row.email,
    role: row.role as Role,
    projectId: Number(row.project_id),
    projectUuid: row.uuid,
    projectName: row.name,
    hasAccount: user !== undefined,
  };
}

/** Joins the invitation's project as the signed-in user, who must be the invited address. */
export async function acceptInvitation(
  ctx: Ctx,
  token: string,
  user: { id: number; email: string },
): Promise<OpenInvitation> {
  const inv = await openInvitation(ctx, token);
  if (inv.email !== user.email)
    throw new ValidationError(
      `This invitation is for ${inv.email}: sign out, then open the link again and sign in as ${inv.email}`,
    );
  await join(ctx, inv, user.id);
  return inv;
}

/** Creates the invitee's account with the password they chose and joins the project; returns the new user's id. */
export async function acceptInvitationWithPassword(
  ctx: Ctx,
  token: string,
  password: string,
): Promise<{ userId: number; invitation: OpenInvitation }> {
  const inv = await openInvitation(ctx, token);
  if (inv.hasAccount) throw new ConflictError(`${inv.email} already has an account: sign in to accept`);
  checkPassword(password);
  let userId: number;
  try {
    userId = (await createUser(ctx, { email: inv.email, password })).id;
  } catch (err) {
    if (err instanceof ConflictError) throw new ConflictError(`${inv.email} already has an account: sign in to accept`);
    throw err;
  }
  await join(ctx, inv, userId);
  return { userId, invitation: inv };
}

/** Membership and the used invitation in one transaction; a link works once, even when clicked twice at once. */
async function join(ctx: Ctx, inv: OpenInvitation, userId: number): Promise<void> {
  const now = ctx.clock();
  await ctx.store.db.transaction().execute(async (trx) => {
    const used = await trx
      .updateTable('invitations')
      .set({ accepted_at: now })
      .where('id', '=', inv.id)
      .where('accepted_at', 'is', null)
      .executeTakeFirst();
    if (Number(used.numUpdatedRows) === 0) throw new NotFoundError('Invitation');
    await trx
      .insertInto('project_members')
      .values({ project_id: inv.projectId, user_id: userId, role: inv.role, created_at: now })
      .onConflict((oc) => oc.columns(['project_id', 'user_id']).doNothing())
      .execute();
  });
}
