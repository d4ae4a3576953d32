import type { MemberProject } from '../../../services/users.ts';
import { html, type Markup } from '../../ui/html.ts';
import { csrfInput, field, radio, type FieldErrors } from '../../ui/forms.ts';
import type { Screen } from '../../ui/layout.ts';
import { notice } from '../../ui/notices.ts';
import { settingsHeader, settingsPath } from '../project-nav.ts';

/** The General settings: the project's cross-region quorum (owners change it). */

const NOTICES = { quorum: 'The quorum was changed.' };

export interface QuorumForm {
  mode: string;
  locations: string;
}

const quorumText = (q: number | null) => (q === null ? 'Majority (more than half)' : `${q} locations`);
const base = (p: MemberProject) => settingsPath(p.uuid, 'general');

/** One location (this server's probe alone): nothing for a quorum to count, so the page says so instead of offering it. */
function oneLocation(builtIn: string): Markup {
  return html`<p id="quorum-one-location">Every check of this project runs from one location, <strong>${builtIn}</strong> (this server’s built-in probe), so there is no quorum to set: each monitor’s own checks change its status. The quorum appears here once the project has a regional probe (<code>vigil probes create</code>) to confirm failures from a second location.</p>`;
}

/** `probeRegions`: the regions of the project's probes; with none, the quorum is not offered. */
export function generalScreen(d: {
  project: MemberProject;
  csrf: string;
  values: QuorumForm;
  errors: FieldErrors;
  done: unknown;
  builtInLocation: string;
  probeRegions: string[];
}): Screen {
  const { project: p, values: v, errors: e } = d;
  const owner = p.role === 'owner';
  if (d.probeRegions.length === 0) {
    return {
      title: `General · ${p.name}`,
      body: html`${settingsHeader(p, 'general')}
${notice(d.done, NOTICES)}
<section class="card narrow-wide" aria-labelledby="quorum-h">
  <h2 id="quorum-h">Cross-region quorum</h2>
  ${oneLocation(d.builtInLocation)}
</section>`,
    };
  }
  return {
    title: `General · ${p.name}`,
    body: html`${settingsHeader(p, 'general')}
${notice(d.done, NOTICES)}
<section class="card narrow-wide" aria-labelledby="quorum-h">
  <h2 id="quorum-h">Cross-region quorum</h2>
  <p class="hint">How many of a monitor’s reporting locations must agree before its status changes, so that one broken probe or region cannot declare an outage alone. Locations of this project: ${d.builtInLocation} (this server) and the regional probes of ${d.probeRegions.join(', ')}.${owner ? '' : ' Only owners can change it.'}</p>
  <dl class="facts"><dt>Current quorum</dt><dd id="quorum-current">${quorumText(p.quorum)}</dd></dl>
  ${
    owner
      ? html`<form method="post" action="${base(p)}">
    ${csrfInput(d.csrf)}
    <fieldset class="field${e.locations ? ' invalid' : ''}">
      <legend>New quorum</legend>
      ${radio('quorum', 'majority', v.mode === 'majority', html`<strong>Majority</strong> <span class="hint">more than half of the locations that voted (2 of 2 or 3, 3 of 4 or 5)</span>`)}
      ${radio('quorum', 'locations', v.mode !== 'majority', html`A number of locations`)}
      <div class="sub-field">${field({ label: 'Locations that must agree', name: 'locations', type: 'number', value: v.locations, error: e.locations, hint: 'From 2 to 18; capped at the locations voting.', attrs: html` min="2" max="18" step="1"` })}</div>
    </fieldset>
    <div class="actions"><button type="submit" class="primary">Save quorum</button></div>
  </form>`
      : ''
  }
</section>`,
  };
}
