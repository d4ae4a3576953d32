import type { MemberProject } from '../../services/users.ts';
import { html, type Markup } from '../ui/html.ts';

/** Where a project's screens are, and the navigation at the top of each of them. */

/** /app/projects/<uuid>/<rest>: every project screen's address. */
export const projectPath = (uuid: string, rest = '') =>
  `/app/projects/${encodeURIComponent(uuid)}${rest ? `/${rest}` : ''}`;

/**
 * The address of a project's live events for a page: the results and outages of `monitors`,
 * every outage (`outages`), the healthchecks' pings (`healthchecks`).
 */
export function liveUrl(
  uuid: string,
  what: { monitors?: string[]; outages?: boolean; healthchecks?: boolean },
): string {
  const q = new URLSearchParams();
  if (what.monitors?.length) q.set('monitors', what.monitors.join(','));
  if (what.outages) q.set('outages', '1');
  if (what.healthchecks) q.set('healthchecks', '1');
  return `${projectPath(uuid, 'live')}?${q}`;
}

export type SettingsTab = 'developers' | 'members' | 'general';
export const settingsPath = (uuid: string, tab: SettingsTab) => projectPath(uuid, `settings/${tab}`);

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

/** Breadcrumbs, the project's name and its tabs; `trail` names the page below the tab. */
export function projectHeader(
  project: MemberProject,
  current: Tab,
  trail: { text: string; href?: string }[] = [],
): Markup {
  const tab = TABS.find(([k]) => k === current)!;
  const crumbs = [
    { text: project.name, href: projectPath(project.uuid, 'monitors') },
    {
      text: tab[1],
      href: trail.length
        ? projectPath(project.uuid, current === 'settings' ? 'settings/developers' : current)
        : undefined,
    },
    ...trail,
  ];
  return html`<nav class="crumbs" aria-label="Breadcrumb"><a href="/app/projects">Projects</a>${crumbs.map((c) => html` <span aria-hidden="true">›</span> ${c.href ? html`<a href="${c.href}">${c.text}</a>` : html`<span>${c.text}</span>`}`)}</nav>
<nav class="project-nav" aria-label="${project.name}"><ul>${TABS.map(([key, label]) => html`<li><a href="${projectPath(project.uuid, key === 'settings' ? 'settings/developers' : key)}"${key === current ? html` aria-current="page"` : ''}>${label}</a></li>`)}</ul></nav>`;
}

/** The settings pages' heading and their tabs (Developers, Members, General). */
export function settingsHeader(project: MemberProject, current: SettingsTab): Markup {
  const tab = (key: SettingsTab, label: string) =>
    html`<a href="${settingsPath(project.uuid, key)}"${current === key ? html` aria-current="page"` : ''}>${label}</a>`;
  return html`${projectHeader(project, 'settings')}
<h1>${project.name} <span class="subtitle">settings</span></h1>
<nav class="tabs" aria-label="Project settings">${tab('developers', 'Developers')}${tab('members', 'Members')}${tab('general', 'General')}</nav>`;
}
