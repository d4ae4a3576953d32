import type { FastifyInstance } from 'fastify';
import { formatDuration } from '../../domain/reports.ts';
import { REGIONS } from '../../domain/monitors.ts';
import { getMonitor, type Monitor } from '../../services/monitors.ts';
import {
  CHART_PERIODS, latestOutages, monitorUptime, recentChecks, responseSeries, type ChartPeriod, type MonitorOutageRow,
} from '../../services/dashboard-views.ts';
import { html, type Markup } from './html.ts';
import { csrfInput } from './forms.ts';
import { sendUserPage, time, type Deps } from './layout.ts';
import { csrfToken } from './session.ts';
import { actorFor, projectHeader, projectPath, userProject } from './project-nav.ts';
import { frequencyLabel } from './monitor-form.ts';
import { monitorPath, notice, stateBadge } from './monitors.ts';
import { formatMs, percent, responseChart, uptimeClass } from './charts.ts';

const PROTOCOL_NAMES: Record<string, string> = { http: 'HTTP', port: 'TCP port', icmp: 'ICMP', dns: 'DNS' };

function sslText(m: Monitor): Markup | string {
  if (m.protocol !== 'http' || !/^https:/i.test(m.url)) return 'Not an HTTPS monitor';
  if (m.ssl_expiration === null) return 'Not checked yet';
  const d = m.ssl_expiration;
  if (d < 0) return html`<span class="fail">Expired ${-d} day${d === -1 ? '' : 's'} ago</span>`;
  const text = `Expires in ${d} day${d === 1 ? '' : 's'}`;
  return d < 14 ? html`<span class="warn">${text}</span>` : text;
}

function domainText(m: Monitor): Markup | string {
  if (m.domain_alert_days < 0) return 'Not watched (set a domain expiry notice to look it up)';
  if (m.domain_expiration === null) return 'Not known yet';
  const d = m.domain_expiration;
  if (d < 0) return html`<span class="fail">Expired ${-d} day${d === -1 ? '' : 's'} ago</span>`;
  const text = `Registration expires in ${d} day${d === 1 ? '' : 's'}`;
  return d <= m.domain_alert_days ? html`<span class="warn">${text}</span>` : text;
}

function outageRows(p: { uuid: string }, list: MonitorOutageRow[], now: number): Markup {
  return html`${list.map((o) => html`<tr>
    <td data-label="Started">${time(o.startedAt)}</td>
    <td data-label="Ended">${o.endedAt === null ? html`<span class="state state-down"><span class="dot" aria-hidden="true"></span>Ongoing</span>` : time(o.endedAt)}</td>
    <td data-label="Duration" class="num">${formatDuration(((o.endedAt ?? now) - o.startedAt) / 1000)}</td>
    <td data-label="Cause">${o.statusCode ? `${o.statusCode} · ` : ''}${o.description}</td>
    <td data-label="Acknowledged">${o.acknowledgedAt === null ? 'No' : time(o.acknowledgedAt)}</td>
    <td class="row-actions"><a href="${projectPath(p.uuid, `outages/${encodeURIComponent(o.uuid)}`)}">Details<span class="sr-only"> of the outage started ${new Date(o.startedAt).toISOString()}</span></a></td>
  </tr>`)}`;
}

export default function monitorPageRoutes(app: FastifyInstance, { ctx, assets, rawRetentionDays }: Deps) {
  app.get('/projects/:uuid/monitors/:mon', async (req, reply) => {
    const p = await userProject(ctx, req);
    const actor = actorFor(ctx, p);
    const m = await getMonitor(actor, (req.params as { mon: string }).mon);
    const asked = (req.query as Record<string, unknown>).period;
    const period: ChartPeriod = typeof asked === 'string' && Object.hasOwn(CHART_PERIODS, asked) ? (asked as ChartPeriod) : '24h';
    const [uptime, series, checks, outages] = await Promise.all([
      monitorUptime(actor, m.id),
      responseSeries(actor, m.id, period, rawRetentionDays),
      recentChecks(actor, m.id, 20),
      latestOutages(actor, m.id, 10),
    ]);
    const now = ctx.clock();
    const state = m.paused ? 'paused' : m.status;
    const ongoing = outages.outages.find((o) => o.endedAt === null);
    const since = state === 'down' && ongoing ? html` for ${formatDuration((now - ongoing.startedAt) / 1000)}, since ${time(ongoing.startedAt)}` : '';
    const csrf = csrfToken(req, reply);
    const base = monitorPath(p, m);

    const body = html`${projectHeader(p, 'monitors', [{ text: m.name }])}
<div class="page-head">
  <div class="title-block"><h1>${m.name}</h1><p class="meta"><code>${m.url}${m.protocol === 'port' && m.port ? `:${m.port}` : ''}</code> · ${PROTOCOL_NAMES[m.protocol] ?? m.protocol} · every ${frequencyLabel(m.check_frequency)}</p></div>
  <div class="actions head-actions">
    <a class="button" href="${base}/edit">Edit</a>
    <form method="post" action="${base}/${m.paused ? 'resume' : 'pause'}">${csrfInput(csrf)}<button type="submit">${m.paused ? 'Resume' : 'Pause'}</button></form>
    <a class="button danger-outline" href="${base}/delete">Delete</a>
  </div>
</div>
${notice(req)}
<section class="card facts-card" aria-labelledby="now-h">
  <h2 id="now-h" class="sr-only">Current status</h2>
  <dl class="facts wide">
    <dt>Status</dt><dd id="current-status">${stateBadge(state)}${since}</dd>
    <dt>Last check</dt><dd>${checks[0] ? html`${time(checks[0].at)} from ${checks[0].location}: ${checks[0].ok ? formatMs(checks[0].totalMs) : html`<span class="fail">failed</span>`}` : 'No check yet'}</dd>
    <dt>SSL certificate</dt><dd id="ssl-expiry">${sslText(m)}</dd>
    <dt>Domain</dt><dd id="domain-expiry">${domainText(m)}</dd>
    <dt>Regions</dt><dd>${m.regions.length === REGIONS.length ? `All ${REGIONS.length} regions` : m.regions.join(', ')}</dd>
    <dt>Monitor id</dt><dd><code>${m.uuid}</code></dd>
  </dl>
</section>
<section class="card" aria-labelledby="uptime-h">
  <h2 id="uptime-h">Uptime</h2>
  <ul class="uptime-grid">${uptime.map((u) => html`<li id="uptime-${u.key}"><span class="label">${u.label}</span><strong class="uptime uptime-${uptimeClass(u.ratio)}">${percent(u.ratio)}</strong><span class="hint">${u.checks ? `${u.failures} failed of ${u.checks} checks` : 'no checks'}</span></li>`)}</ul>
</section>
<section class="card" aria-labelledby="rt-h" id="response-time">
  <div class="section-head">
    <h2 id="rt-h">Response time</h2>
    <form method="get" action="${base}" class="period-form">
      <label for="period">Period</label>
      <select id="period" name="period" data-autosubmit>${Object.entries(CHART_PERIODS).map(([k, v]) => html`<option value="${k}"${k === period ? html` selected` : ''}>Last ${v.label}</option>`)}</select>
      <button type="submit" data-hide-when-scripted>Show</button>
    </form>
  </div>
  <p class="hint">${series.source === 'raw'
    ? 'Mean times per slot from each location, phases stacked: DNS lookup, TCP connect, TLS handshake, first byte, then the rest of the check.'
    : html`Mean total times from hourly rollups. <strong>Phases are unavailable</strong> for this period: raw check results are kept ${rawRetentionDays} day${rawRetentionDays === 1 ? '' : 's'}.`}</p>
  ${series.locations.length ? series.locations.map((l, i) => responseChart(series, l, `chart-${i}`)) : html`<p class="empty">No successful checks in this period.</p>`}
</section>
<section class="card" aria-labelledby="checks-h">
  <h2 id="checks-h">Recent checks</h2>
  ${checks.length ? html`<table class="list checks"><caption class="sr-only">The ${checks.length} latest checks, newest first</caption>
    <thead><tr><th scope="col">Time</th><th scope="col">Location</th><th scope="col">Result</th><th scope="col" class="num">Response</th><th scope="col">Error</th></tr></thead>
    <tbody>${checks.map((c) => html`<tr>
      <td data-label="Time">${time(c.at)}</td><td data-label="Location">${c.location}</td>
      <td data-label="Result">${c.ok ? html`<span class="ok">OK</span>` : html`<span class="fail">Failed</span>`}${c.statusCode ? ` · ${c.statusCode}` : ''}</td>
      <td data-label="Response" class="num">${formatMs(c.totalMs)}</td><td data-label="Error">${c.error ?? ''}</td>
    </tr>`)}</tbody></table>` : html`<p class="empty">No check has run yet.</p>`}
</section>
<section class="card" aria-labelledby="outages-h">
  <h2 id="outages-h">Outages</h2>
  ${outages.outages.length ? html`<table class="list outages"><caption class="sr-only">The latest ${outages.outages.length} of ${outages.total} outages</caption>
    <thead><tr><th scope="col">Started</th><th scope="col">Ended</th><th scope="col" class="num">Duration</th><th scope="col">Cause</th><th scope="col">Acknowledged</th><th scope="col"><span class="sr-only">Actions</span></th></tr></thead>
    <tbody>${outageRows(p, outages.outages, now)}</tbody></table>
    ${outages.total > outages.outages.length ? html`<p class="hint">${outages.total - outages.outages.length} older outages are in the <a href="${projectPath(p.uuid, 'outages')}?q=${encodeURIComponent(m.name)}">Outages</a> tab.</p>` : ''}` : html`<p class="empty">No outage recorded.</p>`}
</section>`;
    return sendUserPage(assets, req, reply, 200, `${m.name} · ${p.name}`, body);
  });
}
