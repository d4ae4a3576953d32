import { html, type Markup } from './html.ts';

/** The notice a redirect asked for with `?done=<key>`: only the texts given here, never one from the URL. */
export function notice(done: unknown, notices: Record<string, string>): Markup | '' {
  const text = typeof done === 'string' && Object.hasOwn(notices, done) ? notices[done] : null;
  return text ? html`<p class="notice" role="status">${text}</p>` : '';
}

/** The banner of a project that alerts nobody (services/dashboard-views.ts alertsNobody), with the way to fix it. */
export function alertsNobodyBanner(alertingHref: string): Markup {
  return html`<p class="alert warning" role="alert" id="alerts-nobody"><strong>Nobody is alerted when a check goes down.</strong> No escalation policy of this project reaches a channel or a person yet. <a href="${alertingHref}">Set up alerting</a>.</p>`;
}

/** Said wherever an email would be taken while this server cannot send mail (VIGIL_SMTP_URL unset). */
export function mailNotSetUp(what: string): Markup {
  return html`<p class="alert warning mail-not-set-up" role="note"><strong>Mail is not set up on this server</strong> (<code>VIGIL_SMTP_URL</code> is not set): ${what}</p>`;
}
