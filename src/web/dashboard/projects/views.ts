import type { MemberProject } from '../../../services/users.ts';
import { html } from '../../ui/html.ts';
import { csrfInput, field } from '../../ui/forms.ts';
import { time } from '../../ui/format.ts';
import type { Screen } from '../../ui/layout.ts';
import { projectPath } from '../project-nav.ts';

/** The user's projects, and the form that makes a new one. */
export function projectsScreen(d: { projects: MemberProject[]; csrf: string; name: string; error?: string }): Screen {
  return {
    title: 'Projects',
    body: html`<h1>Projects</h1>
${
  d.projects.length
    ? html`<ul class="projects">${d.projects.map(
        (p) => html`<li class="card">
    <a class="project-name" href="${projectPath(p.uuid, 'monitors')}">${p.name}</a>
    <span class="meta"><code>${p.uuid}</code> · ${p.role === 'owner' ? 'Owner' : 'Member'} · created ${time(p.created_at)}</span>
  </li>`,
      )}</ul>`
    : html`<p>You are not a member of any project yet. Create one below.</p>`
}
<section class="card">
  <h2>New project</h2>
  <form method="post" action="/app/projects" class="inline-form">
    ${csrfInput(d.csrf)}
    ${field({ label: 'Project name', name: 'name', value: d.name, error: d.error, required: true, attrs: html` maxlength="255"` })}
    <button type="submit" class="primary">Create project</button>
  </form>
</section>`,
  };
}
