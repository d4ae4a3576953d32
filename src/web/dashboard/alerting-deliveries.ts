import { outageDeliveries } from '../../services/alerting.ts';
import type { Ctx } from '../../services/context.ts';
import { html, type Markup } from './html.ts';
import { time } from './layout.ts';

type Delivery = Awaited<ReturnType<typeof outageDeliveries>>[number];

/** What the message said: the first step is the DOWN alert, later steps are escalations. */
function kindOf(d: Delivery): string {
  if (d.event === 'outage.down') return d.step !== null && Number(d.step) > 0 ? `escalation (step ${Number(d.step) + 1})` : 'down';
  return { 'outage.up': 'up', 'outage.acknowledged': 'acknowledged' }[d.event] ?? d.event;
}

/** Sent, given up, failed (a retry is scheduled) or pending (not tried yet). */
function statusOf(d: Delivery): [string, string] {
  if (d.delivered_at !== null) return ['sent', 'up'];
  if (d.gave_up_at !== null) return ['given up', 'down'];
  return Number(d.attempts) > 0 && d.last_status ? ['failed, retrying', 'down'] : ['pending', ''];
}

/** The outage page's "Notifications" card: every message written about the outage, oldest first. */
export async function deliveryHistory(ctx: Ctx, outageId: number): Promise<Markup> {
  const rows = await outageDeliveries(ctx, outageId);
  return html`<section class="card" aria-labelledby="deliveries-h"><h2 id="deliveries-h">Notifications</h2>
  ${rows.length ? html`<table class="list deliveries"><caption class="sr-only">Notifications about this outage, oldest first</caption>
    <thead><tr><th scope="col">Channel</th><th scope="col">Kind</th><th scope="col">Status</th><th scope="col" class="num">Attempts</th><th scope="col">Last error</th><th scope="col">Sent</th></tr></thead>
    <tbody>${rows.map((d) => {
      const [status, tone] = statusOf(d);
      const error = d.delivered_at !== null ? '' : d.give_up_reason ?? (Number(d.attempts) > 0 ? d.last_status ?? '' : '');
      return html`<tr>
      <td data-label="Channel">${d.channel_name ?? d.recipient ?? 'deleted channel'}<span class="sub">${d.kind}</span></td>
      <td data-label="Kind">${kindOf(d)}</td>
      <td data-label="Status"><span class="tag${tone ? ` ${tone}` : ''}">${status}</span></td>
      <td data-label="Attempts" class="num">${Number(d.attempts)}</td>
      <td data-label="Last error" class="mono-wrap">${error}</td>
      <td data-label="Sent">${d.delivered_at === null ? '—' : time(d.delivered_at)}</td>
    </tr>`;
    })}</tbody></table>` : html`<p class="empty">No notification was sent about this outage (no escalation policy, alerts off, or its first step is not due yet).</p>`}
</section>`;
}
