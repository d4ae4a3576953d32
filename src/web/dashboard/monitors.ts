import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { ValidationError } from '../../domain/errors.ts';
import { REGIONS } from '../../domain/monitors.ts';
import { createMonitor, deleteMonitor, getMonitor, updateMonitor, type Monitor } from '../../services/monitors.ts';
import { STATUS_FILTERS, monitorListPage, type MonitorListRow, type StatusFilter } from '../../services/dashboard-views.ts';
import type { MemberProject } from '../../services/users.ts';
import { html, type Markup } from './html.ts';
import { csrfInput, form, type FieldErrors } from './forms.ts';
import { sendUserPage, time, type Deps } from './layout.ts';
import { csrfToken } from './session.ts';
import { actorFor, projectHeader, projectPath, userProject } from './project-nav.ts';
import { emptyForm, fieldOfMessage, formValuesOf, monitorForm, readForm, toInput, type MonitorFormValues } from './monitor-form.ts';
import { formatMs, percent, sparkline, uptimeClass } from './charts.ts';

export const monitorsPath = (p: { uuid: string }) => projectPath(p.uuid, 'monitors');
export const monitorPath = (p: { uuid: string }, m: { uuid: string }) => `${monitorsPath(p)}/${encodeURIComponent(m.uuid)}`;

const STATE_LABELS = { up: 'Up', down: 'Down', paused: 'Paused' } as const;
const FILTER_LABELS: Record<StatusFilter, string> = { all: 'All', up: 'Up', down: 'Down', paused: 'Paused' };

/** Notices after a redirect: only these texts, never one from the URL. */
export const NOTICES: Record<string, string> = {
  created: 'The monitor was created. Its first check runs within its interval.',
  saved: 'The changes were saved.',
  paused: 'The monitor is paused: no checks run until it is resumed.',
  resumed: 'The monitor was resumed.',
  deleted: 'The monitor was deleted, with its check history.',
};

export function stateBadge(state: 'up' | 'down' | 'paused'): Markup {
  return html`<span class="state state-${state}"><span class="dot" aria-hidden="true"></span>${STATE_LABELS[state]}</span>`;
}

export function notice(req: FastifyRequest, notices: Record<string, string> = NOTICES): Markup | '' {
  const done = (req.query as Record<string, unknown>).done;
  const text = typeof done === 'string' && Object.hasOwn(notices, done) ? notices[done] : null;
  return text ? html`<p class="notice" role="status">${text}</p>` : '';
}

function regionsText(regions: string[]): string {
  if (regions.length === REGIONS.length) return `All ${REGIONS.length}`;
  return regions.length <= 3 ? regions.join(', ') : `${regions.slice(0, 3).join(', ')} +${regions.length - 3}`;
}

function listQuery(q: Record<string, unknown>): { search: string; status: StatusFilter; page: number } {
  const str = (v: unknown) => (typeof v === 'string' ? v : '');
  const status = STATUS_FILTERS.includes(str(q.status) as StatusFilter) ? (str(q.status) as StatusFilter) : 'all';
  const page = /^\d{1,6}$/.test(str(q.page)) ? Number(q.page) : 1;
  return { search: str(q.q).slice(0, 200), status, page };
}

function listHref(p: MemberProject, q: { search: string; status: StatusFilter; page: number }): string {
  const params = new URLSearchParams();
  if (q.search) params.set('q', q.search);
  if (q.status !== 'all') params.set('status', q.status);
  if (q.page > 1) params.set('page', String(q.page));
  const s = params.toString();
  return `${monitorsPath(p)}${s ? `?${s}` : ''}`;
}

function row(p: MemberProject, m: MonitorListRow): Markup {
  return html`<tr>
    <td data-label="Status">${stateBadge(m.state)}</td>
    <td data-label="Name" class="name-cell"><a href="${monitorPath(p, m)}">${m.name}</a><span class="url">${m.protocol === 'port' && m.port ? `${m.url}:${m.port}` : m.url}</span></td>
    <td data-label="Regions" title="${m.regions.join(', ')}">${regionsText(m.regions)}</td>
    <td data-label="Last response" class="num">${m.lastAt === null ? '—' : m.lastOk === false ? html`<span class="fail">failed</span>` : formatMs(m.lastMs)}</td>
    <td data-label="Uptime 24 h" class="num"><span class="uptime uptime-${uptimeClass(m.uptime24h)}">${percent(m.uptime24h)}</span></td>
    <td data-label="Response time 24 h" class="spark-cell">${sparkline(m.hours, `Response time of ${m.name}, last 24 hours`)}</td>
  </tr>`;
}

export default function monitorRoutes(app: FastifyInstance, { ctx, assets }: Deps) {
  async function monitorOf(req: FastifyRequest): Promise<[MemberProject, Monitor]> {
    const p = await userProject(ctx, req);
    return [p, await getMonitor(actorFor(ctx, p), (req.params as { mon: string }).mon)];
  }

  app.get('/projects/:uuid/monitors', async (req, reply) => {
    const p = await userProject(ctx, req);
    const q = listQuery(req.query as Record<string, unknown>);
    const list = await monitorListPage(actorFor(ctx, p), q);
    const current = { ...q, page: list.page };
    const filters = STATUS_FILTERS.map((s) => html`<li><a href="${listHref(p, { ...q, status: s, page: 1 })}"${s === q.status ? html` aria-current="true"` : ''}>${FILTER_LABELS[s]} <span class="count">${list.counts[s]}</span></a></li>`);
    const empty = list.counts.all === 0 && !q.search
      ? html`<p class="empty">No monitors yet. <a href="${monitorsPath(p)}/new">Create the first one</a>.</p>`
      : html`<p class="empty">No monitor matches${q.search ? html` “${q.search}”` : ''}${q.status !== 'all' ? ` among the ${q.status} ones` : ''}.</p>`;
    const body = html`${projectHeader(p, 'monitors')}
<div class="page-head"><h1>Monitors</h1><a class="button primary" href="${monitorsPath(p)}/new">Create monitor</a></div>
${notice(req)}
<section class="card">
  <form class="search" method="get" action="${monitorsPath(p)}" role="search">
    <label for="q">Search by name or URL</label>
    <div class="search-row"><input id="q" name="q" type="search" value="${q.search}" maxlength="200" autocomplete="off">${q.status !== 'all' ? html`<input type="hidden" name="status" value="${q.status}">` : ''}<button type="submit">Search</button></div>
  </form>
  <nav class="filter" aria-label="Filter by status"><ul>${filters}</ul></nav>
  ${list.rows.length ? html`<table class="list monitors">
    <caption class="sr-only">Monitors${q.status !== 'all' ? ` (${q.status})` : ''}${q.search ? ` matching “${q.search}”` : ''}, page ${list.page} of ${list.pages}</caption>
    <thead><tr><th scope="col">Status</th><th scope="col">Name</th><th scope="col">Regions</th><th scope="col" class="num">Last response</th><th scope="col" class="num">Uptime 24 h</th><th scope="col">Response time 24 h</th></tr></thead>
    <tbody>${list.rows.map((m) => row(p, m))}</tbody>
  </table>` : empty}
  ${list.pages > 1 ? html`<nav class="pager" aria-label="Pages">
    ${list.page > 1 ? html`<a rel="prev" href="${listHref(p, { ...current, page: list.page - 1 })}">‹ Previous</a>` : html`<span aria-hidden="true"></span>`}
    <span>Page ${list.page} of ${list.pages} · ${list.counts[q.status]} monitors</span>
    ${list.page < list.pages ? html`<a rel="next" href="${listHref(p, { ...current, page: list.page + 1 })}">Next ›</a>` : html`<span aria-hidden="true"></span>`}
  </nav>` : ''}
</section>`;
    return sendUserPage(assets, req, reply, 200, `Monitors · ${p.name}`, body);
  });

  function formPage(req: FastifyRequest, reply: FastifyReply, p: MemberProject, status: number, m: Monitor | null, values: MonitorFormValues, errors: FieldErrors) {
    const title = m ? `Edit ${m.name}` : 'Create monitor';
    const body = html`${projectHeader(p, 'monitors', m ? [{ text: m.name, href: monitorPath(p, m) }, { text: 'Edit' }] : [{ text: 'New' }])}
<h1>${title}</h1>
<section class="card narrow-wide">${monitorForm({
      action: m ? `${monitorPath(p, m)}/edit` : monitorsPath(p), csrf: csrfToken(req, reply), values, errors,
      submit: m ? 'Save changes' : 'Create monitor', cancel: m ? monitorPath(p, m) : monitorsPath(p),
    })}</section>`;
    return sendUserPage(assets, req, reply, status, title, body);
  }

  /** Runs a create or update; a refusal goes back to the form with the message beside its field. */
  async function save(req: FastifyRequest, reply: FastifyReply, p: MemberProject, m: Monitor | null) {
    const values = readForm(form(req));
    try {
      const actor = actorFor(ctx, p);
      const saved = m ? await updateMonitor(actor, m.uuid, toInput(values)) : await createMonitor(actor, toInput(values));
      return reply.redirect(`${monitorPath(p, saved)}?done=${m ? 'saved' : 'created'}`, 303);
    } catch (err) {
      if (!(err instanceof ValidationError)) throw err;
      return formPage(req, reply, p, 422, m, values, { [fieldOfMessage(err.message)]: err.message });
    }
  }

  app.get('/projects/:uuid/monitors/new', async (req, reply) => formPage(req, reply, await userProject(ctx, req), 200, null, emptyForm(), {}));
  app.post('/projects/:uuid/monitors', async (req, reply) => save(req, reply, await userProject(ctx, req), null));

  app.get('/projects/:uuid/monitors/:mon/edit', async (req, reply) => {
    const [p, m] = await monitorOf(req);
    return formPage(req, reply, p, 200, m, formValuesOf(m), {});
  });
  app.post('/projects/:uuid/monitors/:mon/edit', async (req, reply) => {
    const [p, m] = await monitorOf(req);
    return save(req, reply, p, m);
  });

  for (const [action, paused] of [['pause', true], ['resume', false]] as const) {
    app.post(`/projects/:uuid/monitors/:mon/${action}`, async (req, reply) => {
      const [p, m] = await monitorOf(req);
      await updateMonitor(actorFor(ctx, p), m.uuid, { paused });
      return reply.redirect(`${monitorPath(p, m)}?done=${paused ? 'paused' : 'resumed'}`, 303);
    });
  }

  app.get('/projects/:uuid/monitors/:mon/delete', async (req, reply) => {
    const [p, m] = await monitorOf(req);
    const body = html`${projectHeader(p, 'monitors', [{ text: m.name, href: monitorPath(p, m) }, { text: 'Delete' }])}
<section class="card narrow">
  <h1>Delete monitor</h1>
  <p>Delete <strong>${m.name}</strong> (<code>${m.url}</code>)? Its check results and rollups go with it; its outages stay in the history without it. This cannot be undone.</p>
  <p class="meta">Created ${time(m.createdAt)}</p>
  <form method="post" action="${monitorPath(p, m)}/delete">
    ${csrfInput(csrfToken(req, reply))}
    <div class="actions"><button type="submit" class="danger">Delete monitor</button> <a class="button" href="${monitorPath(p, m)}">Cancel</a></div>
  </form>
</section>`;
    return sendUserPage(assets, req, reply, 200, `Delete ${m.name}`, body);
  });
  app.post('/projects/:uuid/monitors/:mon/delete', async (req, reply) => {
    const [p, m] = await monitorOf(req);
    await deleteMonitor(actorFor(ctx, p), m.uuid);
    return reply.redirect(`${monitorsPath(p)}?done=deleted`, 303);
  });
}
