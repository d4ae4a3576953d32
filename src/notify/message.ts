import type { AlertPayload } from '../services/alerting.ts';
import type { SubscriberPayload } from '../services/subscriber-notices.ts';
import type { InvitationPayload } from '../services/invitations.ts';

/** What every channel says, in a neutral form each one lays out its own way. */
export interface Message {
  event: string;
  tone: 'down' | 'up' | 'info';
  title: string;
  lines: string[];
  /** The dashboard page of the check, or the status page. */
  link: string | null;
  /** Subscriber emails: the one-click unsubscribe page. */
  unsubscribe?: string;
}

const when = (isoDate: string) => isoDate.replace('T', ' ').replace(/\.\d{3}Z$/, ' UTC');

function duration(ms: number): string {
  const s = Math.max(0, Math.round(ms / 1000));
  const parts = [
    [Math.floor(s / 86400), 'd'],
    [Math.floor((s % 86400) / 3600), 'h'],
    [Math.floor((s % 3600) / 60), 'min'],
    [s % 60, 's'],
  ] as const;
  const shown = parts.filter(([n]) => n > 0).slice(0, 2);
  return shown.length ? shown.map(([n, u]) => `${n}${u === 'min' ? ' min' : u}`).join(' ') : '0s';
}

export function dashboardLink(publicUrl: string, p: AlertPayload): string | null {
  if (!p.check.uuid) return `${publicUrl}/app/projects/${p.project.uuid}`;
  return `${publicUrl}/app/projects/${p.project.uuid}/${p.check.type === 'healthcheck' ? 'healthchecks' : 'monitors'}/${p.check.uuid}`;
}

function renderAlert(p: AlertPayload, publicUrl: string): Message {
  const link = dashboardLink(publicUrl, p);
  const what = p.check.url ? `${p.check.name} (${p.check.url})` : p.check.name;
  const o = p.outage;
  if (p.notice) return renderNotice(p, p.notice, what, link);
  if (p.event === 'test' || !o) {
    return {
      event: p.event,
      tone: 'info',
      title: `Test notification from Vigil`,
      lines: [
        `This is a test of the integration "${p.channel ?? ''}" of project ${p.project.name}. If you can read it, alerts will reach you here.`,
      ],
      link,
    };
  }
  const region = o.confirmedLocations
    ? `${o.detectedLocation} (confirmed from ${o.confirmedLocations})`
    : o.detectedLocation;
  if (p.event === 'outage.up') {
    const end = o.endDate ?? p.at;
    return {
      event: p.event,
      tone: 'up',
      title: `UP: ${p.check.name}`,
      link,
      lines: [
        `${what} is up again since ${when(end)}, after ${duration(Date.parse(end) - Date.parse(o.startDate))} down (since ${when(o.startDate)}).`,
        `Last error: ${o.description}`,
      ],
    };
  }
  if (p.event === 'outage.acknowledged') {
    return {
      event: p.event,
      tone: 'info',
      title: `ACKNOWLEDGED: ${p.check.name}`,
      link,
      lines: [
        `The outage of ${what}, down since ${when(o.startDate)}, was acknowledged${o.acknowledgedBy ? ` by ${o.acknowledgedBy}` : ''}. Escalation stops.`,
      ],
    };
  }
  const lines = [
    `${what} is down since ${when(o.startDate)}.`,
    `Error: ${o.description}${o.statusCode ? ` (status ${o.statusCode})` : ''}`,
    `Region: ${region}`,
  ];
  if (p.totalSteps && p.totalSteps > 1) lines.push(`Escalation step ${p.step} of ${p.totalSteps}.`);
  return { event: p.event, tone: 'down', title: `DOWN: ${p.check.name}`, lines, link };
}

const days = (n: number) => (n === 0 ? 'today' : n === 1 ? 'in 1 day' : `in ${n} days`);

/** Certificate and domain notices (services/notices.ts): nothing is down, something needs doing. */
function renderNotice(
  p: AlertPayload,
  n: NonNullable<AlertPayload['notice']>,
  what: string,
  link: string | null,
): Message {
  const date = n.expiresAt.slice(0, 10);
  if (p.event === 'certificate.changed') {
    return {
      event: p.event,
      tone: 'info',
      title: `Certificate changed: ${p.check.name}`,
      link,
      lines: [
        `${what} now serves another TLS certificate (SHA-256 ${n.fingerprint}), valid until ${date}.`,
        `Before: ${n.previousFingerprint}`,
      ],
    };
  }
  const thing = n.kind === 'domain' ? `The registration of the domain ${n.domain}` : `The TLS certificate of ${what}`;
  return {
    event: p.event,
    tone: n.daysLeft <= 7 ? 'down' : 'info',
    link,
    title: `${n.kind === 'domain' ? 'Domain' : 'Certificate'} expires ${days(n.daysLeft)}: ${n.kind === 'domain' ? n.domain : p.check.name}`,
    lines: [
      `${thing} expires on ${date} (${days(n.daysLeft)}).`,
      n.kind === 'domain'
        ? `Renew it with the registrar to keep ${p.check.name} reachable.`
        : 'Renew it before then, or visitors will see a certificate error.',
    ],
  };
}

function renderSubscriberNotice(p: SubscriberPayload, publicUrl: string): Message {
  const page = `${publicUrl}/status/${p.page.subdomain}`;
  const unsubscribe = `${page}/unsubscribe/${p.token}`;
  if (p.event === 'statuspage.confirm') {
    return {
      event: p.event,
      tone: 'info',
      title: `[${p.page.name}] Confirm your subscription`,
      link: page,
      unsubscribe,
      lines: [
        `Someone, hopefully you, asked to be emailed about incidents and maintenance on ${p.page.name}.`,
        `Confirm your subscription: ${p.confirm}`,
        'If it was not you, ignore this email: nothing more is sent, and the address is forgotten in 48 hours.',
      ],
    };
  }
  const lines: string[] = [];
  let title: string;
  if (p.incident) {
    title = `[${p.page.name}] ${p.change === 'created' ? 'Incident' : 'Incident update'}: ${p.incident.title}`;
    if (p.incident.update)
      lines.push(
        `${p.incident.update.type[0].toUpperCase()}${p.incident.update.type.slice(1)} — ${when(p.incident.update.date)}`,
        p.incident.update.text,
      );
    else if (p.incident.text) lines.push(p.incident.text);
  } else {
    const m = p.maintenance!;
    const what = {
      created: 'Scheduled maintenance',
      updated: 'Maintenance changed',
      upcoming: 'Maintenance starting soon',
    }[p.change];
    title = `[${p.page.name}] ${what}: ${m.title}`;
    lines.push(`From ${when(m.startDate)} to ${when(m.endDate)}.`);
    if (m.text) lines.push(m.text);
  }
  lines.push(
    `Status page: ${page}`,
    '',
    `You receive this because you subscribed to ${p.page.name}. Unsubscribe: ${unsubscribe}`,
  );
  return { event: p.event, tone: 'info', title, lines, link: page, unsubscribe };
}

/** An invitation to a project (services/invitations.ts): the link is the whole point. */
function renderInvitation(p: InvitationPayload): Message {
  return {
    event: p.event,
    tone: 'info',
    title: `You are invited to ${p.project} on Vigil`,
    link: null,
    lines: [
      `${p.invitedBy} invites you to join the project ${p.project} on Vigil as ${p.role === 'owner' ? 'an owner' : 'a member'}.`,
      `Accept the invitation: ${p.link}`,
      `The link works once, until ${when(p.expiresAt)}. If you did not expect it, ignore this email.`,
    ],
  };
}

export function renderMessage(payload: unknown, publicUrl: string): Message {
  const p = payload as { event: string };
  if (p.event === 'member.invitation') return renderInvitation(payload as InvitationPayload);
  return p.event.startsWith('statuspage.')
    ? renderSubscriberNotice(payload as SubscriberPayload, publicUrl)
    : renderAlert(payload as AlertPayload, publicUrl);
}

/** Plain text: the lines, then the link. */
export function plainText(m: Message): string {
  return [...m.lines, ...(m.link && !m.unsubscribe ? ['', `Open in Vigil: ${m.link}`] : [])].join('\n');
}
