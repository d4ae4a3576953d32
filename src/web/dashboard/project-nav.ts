import type { FastifyRequest } from 'fastify';
import { getUserProject, type MemberProject } from '../../services/users.ts';
import type { ActorCtx, Ctx } from '../../services/context.ts';
import { html, type Markup } from './html.ts';

/** /app/projects/<uuid>/<rest>: every project screen's address. */
export const projectPath = (uuid: string, rest = '') => `/app/projects/${encodeURIComponent(uuid)}${rest ? `/${rest}` : ''}`;

export const TABS = [
  ['monitors', 'Monitors'],
  ['healthchecks', 'Healthchecks'],
  ['outages', 'Outages'],
  ['incidents', 'Incidents'],
  ['maintenance', 'Maintenance'],
  ['statuspages', 'Status pages'],
  ['alerting', 'Alerting'],
  ['settings', 'Settings'],
] as const;
export type Tab = (typeof TABS)[number][0];

/** The signed-in user's project named in the URL; any other is the same 404 as an unknown one. */
export function userProject(ctx: Ctx, req: FastifyRequest): Promise<MemberProject> {
  return getUserProject(ctx, req.dash.user!.id, (req.params as { uuid: string }).uuid);
}

/**
 * The services' actor for a member acting in the dashboard: the same rules as a read-write key
 * of the project. There is no key; with `user`, what records who acted (an acknowledgement)
 * names the signed-in user.
 */
export function actorFor(ctx: Ctx, project: MemberProject, user?: { uuid: string; email: string } | null): ActorCtx {
  return { ...ctx, actor: { projectId: project.id, projectUuid: project.uuid, permission: 'read_write', keyId: null, user: user ? { uuid: user.uuid, email: user.email } : null } };
}

/** Breadcrumbs, the project's name and its tabs; `trail` names the page below the tab. */
export function projectHeader(project: MemberProject, current: Tab, trail: { text: string; href?: string }[] = []): Markup {
  const tab = TABS.find(([k]) => k === current)!;
  const crumbs = [{ text: project.name, href: projectPath(project.uuid, 'monitors') }, { text: tab[1], href: trail.length ? projectPath(project.uuid, current === 'settings' ? 'settings/developers' : current) : undefined }, ...trail];
  return html`<nav class="crumbs" aria-label="Breadcrumb"><a href="/app/projects">Projects</a>${crumbs.map((c) => html` <span aria-hidden="true">›</span> ${c.href ? html`<a href="${c.href}">${c.text}</a>` : html`<span>${c.text}</span>`}`)}</nav>
<nav class="project-nav" aria-label="${project.name}"><ul>${TABS.map(([key, label]) => html`<li><a href="${projectPath(project.uuid, key === 'settings' ? 'settings/developers' : key)}"${key === current ? html` aria-current="page"` : ''}>${label}</a></li>`)}</ul></nav>`;
}
