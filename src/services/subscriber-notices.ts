import type { Kysely, Transaction } from 'kysely';
import type { LocalizedText } from '../domain/localized.ts';
import { enqueue, type NewNotification } from './outbox.ts';
import { iso, yieldToLoop } from './context.ts';
import type { Database } from '../storage/schema.ts';

type Trx = Transaction<Database> | Kysely<Database>;

/** What a subscriber email says, in the subscriber's language, with their unsubscribe token. */
export interface SubscriberPayload {
  event: 'statuspage.incident' | 'statuspage.maintenance' | 'statuspage.confirm';
  change: 'created' | 'updated' | 'upcoming';
  at: string;
  page: { uuid: string; name: string; subdomain: string };
  token: string;
  language: string;
  incident?: {
    uuid: string;
    title: string;
    text: string;
    type: string;
    update: { type: string; text: string; date: string } | null;
  };
  maintenance?: { uuid: string; title: string; text: string; startDate: string; endDate: string };
  /** statuspage.confirm: the page that confirms the subscription. */
  confirm?: string;
}

export type Notice =
  | {
      kind: 'incident';
      change: 'created' | 'updated';
      uuid: string;
      title: LocalizedText;
      text: LocalizedText;
      type: string;
      update: { type: string; text: LocalizedText; at: number } | null;
    }
  | {
      kind: 'maintenance';
      change: 'created' | 'updated' | 'upcoming';
      uuid: string;
      name: string;
      title: LocalizedText;
      text: LocalizedText;
      startsAt: number;
      endsAt: number;
    };

/** The text in `lang`, else English, else the first language given. */
function pick(t: LocalizedText, lang: string): string {
  const all = t as Record<string, string | undefined>;
  return all[lang]?.trim() || all.en?.trim() || Object.values(all).find((v) => v?.trim()) || '';
}

/**
 * Queues a message to every subscriber of the given status pages (of the project), in the
 * transaction that created or changed the incident or maintenance window: an email to email
 * subscribers, a Teams message to the webhook URL of teams subscribers. SMS subscribers are
 * kept but get nothing: Vigil has no SMS provider.
 */
export async function notifySubscribers(
  trx: Trx,
  projectId: number,
  pageUuids: string[],
  notice: Notice,
  now: number,
): Promise<number> {
  if (pageUuids.length === 0) return 0;
  // A page of subscribers at a time, yielding between pages: every message carries the texts
  // (10,000 subscribers of an incident at its bounds are about 200 MB of messages to write).
  let written = 0;
  for (let after = 0; ; ) {
    const subs = await trx
      .selectFrom('status_page_subscribers as s')
      .innerJoin('status_pages as p', 'p.id', 's.status_page_id')
      .select([
        's.id',
        's.type',
        's.email',
        's.teams_webhook_url',
        's.token',
        's.language',
        'p.uuid',
        'p.name',
        'p.subdomain',
      ])
      .where('p.project_id', '=', projectId)
      .where('p.uuid', 'in', pageUuids)
      .where('s.id', '>', after)
      .where('s.confirmed_at', 'is not', null) // a public subscription gets nothing before it is confirmed
      .where((eb) =>
        eb.or([
          eb.and([eb('s.type', '=', 'email'), eb('s.email', 'is not', null)]),
          eb.and([eb('s.type', '=', 'teams'), eb('s.teams_webhook_url', 'is not', null)]),
        ]),
      )
      .orderBy('s.id')
      .limit(SUBSCRIBER_PAGE)
      .execute();
    if (subs.length === 0) return written;
    await enqueue(
      trx,
      subs.map((s) => message(s, projectId, notice, now)),
      now,
    );
    written += subs.length;
    if (subs.length < SUBSCRIBER_PAGE) return written;
    after = Number(subs[subs.length - 1].id);
    await yieldToLoop();
  }
}

/** Subscribers whose messages are built and written at a time. */
const SUBSCRIBER_PAGE = 100;

type SubscriberRow = {
  type: string;
  email: string | null;
  teams_webhook_url: string | null;
  token: string;
  language: string;
  uuid: string;
  name: string;
  subdomain: string;
};

/** The message to one subscriber, in their language, with their unsubscribe token. */
function message(s: SubscriberRow, projectId: number, notice: Notice, now: number): NewNotification {
  const lang = s.language || 'en';
  const payload: SubscriberPayload = {
    event: notice.kind === 'incident' ? 'statuspage.incident' : 'statuspage.maintenance',
    change: notice.change,
    at: iso(now),
    page: { uuid: s.uuid, name: s.name, subdomain: s.subdomain },
    token: s.token,
    language: lang,
  };
  if (notice.kind === 'incident') {
    payload.incident = {
      uuid: notice.uuid,
      title: pick(notice.title, lang),
      text: pick(notice.text, lang),
      type: notice.type,
      update: notice.update && {
        type: notice.update.type,
        text: pick(notice.update.text, lang),
        date: iso(notice.update.at),
      },
    };
  } else {
    payload.maintenance = {
      uuid: notice.uuid,
      title: pick(notice.title, lang) || notice.name,
      text: pick(notice.text, lang),
      startDate: iso(notice.startsAt),
      endDate: iso(notice.endsAt),
    };
  }
  const to =
    s.type === 'teams' ? { kind: 'teams', recipient: s.teams_webhook_url } : { kind: 'email', recipient: s.email };
  return { project_id: projectId, channel_id: null, ...to, outage_id: null, step: null, event: payload.event, payload };
}
