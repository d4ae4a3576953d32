// Progressive enhancement for the dashboard: every page also works without this file.
// It opens the Create key form in a <dialog>, submits it in place, copies keys and ping URLs,
// submits the chart period on change, shows only the monitor form's fields of its type, ticks
// every row of the monitors list at once, and keeps the monitors, healthchecks and outages pages
// live (at the end of this file).

function enhance(root) {
  for (const button of root.querySelectorAll('[data-copy]')) button.hidden = false;
  for (const button of root.querySelectorAll('[data-hide-when-scripted]')) button.hidden = true;
  for (const select of root.querySelectorAll('select[name=protocol]')) showProtocol(select);
  for (const box of root.querySelectorAll('[data-select-all]')) box.hidden = false;
}

// Without scripts every type's fields show; with them, only the chosen type's.
function showProtocol(select) {
  for (const box of select.form?.querySelectorAll('[data-protocols]') ?? []) {
    box.hidden = !box.dataset.protocols.split(' ').includes(select.value);
  }
}

async function copyFrom(button) {
  const input = document.getElementById(button.dataset.copy);
  const status = button.closest('.key-panel, .copy-scope')?.querySelector('.copy-status');
  const say = (text) => {
    if (status) status.textContent = text;
  };
  try {
    await navigator.clipboard.writeText(input.value); // absent outside secure contexts: falls through
    say('Copied to the clipboard.');
  } catch {
    input.focus();
    input.select();
    let copied = false;
    try {
      copied = document.execCommand('copy');
    } catch {}
    say(copied ? 'Copied to the clipboard.' : 'The text is selected: press Ctrl+C (⌘C on a Mac) to copy it.');
  }
}

document.addEventListener('click', (e) => {
  const target = e.target instanceof Element ? e.target : null;
  const opener = target?.closest('[data-open-dialog]');
  if (opener) {
    const dialog = document.getElementById(opener.dataset.openDialog);
    if (dialog && typeof dialog.showModal === 'function') {
      e.preventDefault();
      dialog.showModal();
      dialog.querySelector('input:not([type=hidden])')?.focus();
    }
    return;
  }
  const closer = target?.closest('[data-close-dialog]');
  const dialog = closer?.closest('dialog');
  if (dialog?.open) {
    e.preventDefault();
    dialog.close();
    return;
  }
  const copy = target?.closest('[data-copy]');
  if (copy) copyFrom(copy);
});

// Once a key was made, closing the dialog (Done, Escape) reloads the list: only the masked key remains.
for (const dialog of document.querySelectorAll('dialog')) {
  dialog.addEventListener('close', () => {
    if (dialog.querySelector('[data-created]')) location.replace(location.pathname);
  });
}

// A form in a dialog is sent with fetch; the panel of the answer (the key, or the form with its errors) replaces it.
document.addEventListener('submit', async (e) => {
  const form = e.target;
  if (!(form instanceof HTMLFormElement) || !form.dataset.swap || !form.closest('dialog')) return;
  e.preventDefault();
  const panel = document.getElementById(form.dataset.swap);
  const submit = form.querySelector('[type=submit]');
  if (submit) submit.disabled = true;
  try {
    const res = await fetch(form.action, {
      method: 'POST',
      body: new URLSearchParams(new FormData(form)),
      credentials: 'same-origin',
    });
    const next = new DOMParser().parseFromString(await res.text(), 'text/html').getElementById(form.dataset.swap);
    if (!next) throw new Error(`the server answered ${res.status}`);
    panel.replaceWith(next);
    enhance(next);
    (next.querySelector('[aria-invalid=true]') ?? next.querySelector('#new-key'))?.focus();
  } catch (err) {
    if (submit) submit.disabled = false;
    let alert = panel.querySelector('.alert');
    if (!alert) {
      alert = document.createElement('p');
      alert.className = 'alert';
      alert.setAttribute('role', 'alert');
      panel.querySelector('h2')?.after(alert);
    }
    alert.textContent = `The key could not be created (${err.message}). Reload the page and try again.`;
  }
});

// Picking a date means "on a date"; picking Never clears the date.
document.addEventListener('input', (e) => {
  const t = e.target;
  if (t instanceof HTMLInputElement && t.name === 'expires_on' && t.value) {
    const onDate = t.form?.querySelector('input[name=expiration][value=date]');
    if (onDate) onDate.checked = true;
  }
});
document.addEventListener('change', (e) => {
  const t = e.target;
  if (t instanceof HTMLInputElement && t.name === 'expiration' && t.value === 'never') {
    const date = t.form?.querySelector('input[name=expires_on]');
    if (date) date.value = '';
  }
  if (t instanceof HTMLSelectElement && t.name === 'protocol') showProtocol(t);
  if (t instanceof HTMLSelectElement && t.dataset.autosubmit !== undefined) t.form?.requestSubmit();
  // The list's "select every monitor of this page" box ticks (or unticks) the rows' boxes of its form.
  if (t instanceof HTMLInputElement && t.dataset.selectAll) {
    for (const box of t.form?.elements ?? []) if (box.name === t.dataset.selectAll) box.checked = t.checked;
  }
});

enhance(document);
// A form sent back with errors: start at the first field to fix.
document.querySelector('main form [aria-invalid=true]')?.focus();

// ---- Live pages ----
// A page with [data-live] follows its project's events (Server-Sent Events): rows marked
// data-monitor / data-healthcheck are patched from each message (state, last response, beats);
// the sections marked data-live-refresh="monitor outage" are read again from the server when an
// event of those kinds arrives, and all of them after a reconnect (events may have been missed).

const STATE_LABELS = { up: 'Up', down: 'Down', pending: 'Pending', paused: 'Paused', new: 'Pending' };
const msFormat = new Intl.NumberFormat('en');
const formatMs = (ms) => (ms == null ? '—' : `${msFormat.format(Math.round(ms))} ms`);
const iso = (ms) => new Date(ms).toISOString();

function badge(state) {
  const span = document.createElement('span');
  span.className = `state state-${state === 'new' ? 'pending' : state}`;
  const dot = document.createElement('span');
  dot.className = 'dot';
  dot.setAttribute('aria-hidden', 'true');
  span.append(dot, STATE_LABELS[state] ?? state);
  return span;
}

function announce(text) {
  let region = document.getElementById('live-announce');
  if (!region) {
    region = document.createElement('p');
    region.id = 'live-announce';
    region.className = 'sr-only';
    region.setAttribute('aria-live', 'polite');
    document.querySelector('main')?.append(region);
  }
  region.textContent = text;
}

function setState(scope, state) {
  if (scope.dataset.state === 'paused' || scope.dataset.state === state) return false;
  scope.dataset.state = state;
  const cell = scope.querySelector('[data-cell=state]');
  // The monitor page's status also says since when: read again with its section.
  if (cell) cell.replaceChildren(badge(state));
  return true;
}

function addBeats(bar, checks) {
  const last = Number(bar.dataset.lastAt ?? 0);
  for (const c of checks) {
    if (c.at <= last) continue;
    const beat = document.createElement('i');
    beat.className = c.ok ? 'up' : 'down';
    const where = bar.classList.contains('wide') ? `${c.location} · ` : '';
    beat.title = `${iso(c.at).slice(0, 10)} ${iso(c.at).slice(11, 19)} UTC · ${where}${c.ok ? formatMs(c.ms) : 'failed'}`;
    bar.append(beat);
    bar.firstElementChild?.remove();
    bar.dataset.lastAt = String(c.at);
  }
  const shown = bar.querySelectorAll('.up, .down').length;
  const failed = bar.querySelectorAll('.down').length;
  bar.setAttribute(
    'aria-label',
    shown ? `Last ${shown} checks: ${shown - failed} up, ${failed} failed` : 'No checks yet',
  );
}

function patchMonitor(m) {
  const checks = [...m.checks].sort((a, b) => a.at - b.at);
  const newest = checks.at(-1);
  for (const scope of document.querySelectorAll(`[data-monitor="${CSS.escape(m.id)}"]`)) {
    // Checks the page already shows (stored before it was read) change nothing.
    const bar = scope.querySelector('[data-beats]');
    if (!newest || newest.at <= Number(bar?.dataset.lastAt ?? 0)) continue;
    const changed = setState(scope, m.state);
    const last = scope.querySelector('[data-cell=last]');
    if (last && newest) {
      if (newest.ok) last.textContent = formatMs(newest.ms);
      else {
        const fail = document.createElement('span');
        fail.className = 'fail';
        fail.textContent = 'failed';
        last.replaceChildren(fail);
      }
    }
    if (bar) addBeats(bar, checks);
    if (changed) {
      const name =
        scope.querySelector('.name-cell a')?.textContent ?? document.querySelector('h1')?.textContent ?? 'The monitor';
      announce(`${name} is ${STATE_LABELS[m.state]?.toLowerCase() ?? m.state}.`);
    }
  }
}

function patchHealthcheck(h) {
  for (const scope of document.querySelectorAll(`[data-healthcheck="${CSS.escape(h.id)}"]`)) {
    if (scope.dataset.state !== h.state) {
      scope.dataset.state = h.state;
      scope.querySelector('[data-cell=state]')?.replaceChildren(badge(h.state));
    }
    const cell = scope.querySelector('[data-cell=last-ping]');
    if (cell && h.lastPing != null) {
      const t = document.createElement('time');
      t.dateTime = iso(h.lastPing);
      t.textContent = `${iso(h.lastPing).slice(0, 10)} ${iso(h.lastPing).slice(11, 16)} UTC`;
      cell.replaceChildren(t);
    }
  }
}

// Sections read again: at most one fetch at a time and one every 2 s; none while the tab is
// hidden; a section holding the field someone is typing in waits for the next round.
const refresh = { kinds: new Set(), all: false, running: false, last: 0, timer: null };

function askRefresh(kinds, all = false) {
  kinds = kinds.filter((k) => document.querySelector(`[data-live-refresh~="${k}"]`));
  if (!kinds.length && !all && !refresh.kinds.size && !refresh.all) return;
  for (const k of kinds) refresh.kinds.add(k);
  refresh.all ||= all;
  if (refresh.timer || refresh.running) return;
  refresh.timer = setTimeout(runRefresh, Math.max(0, refresh.last + 2000 - Date.now()));
}

async function runRefresh() {
  refresh.timer = null;
  if (document.hidden) return;
  const regions = [...document.querySelectorAll('[data-live-refresh][id]')].filter(
    (el) => refresh.all || el.dataset.liveRefresh.split(' ').some((k) => refresh.kinds.has(k)),
  );
  const typing = document.activeElement?.matches?.('input, select, textarea') ? document.activeElement : null;
  const now = regions.filter((el) => !typing || !el.contains(typing));
  if (now.length === regions.length) {
    refresh.kinds.clear();
    refresh.all = false;
  }
  if (!now.length) return;
  refresh.running = true;
  refresh.last = Date.now();
  try {
    const res = await fetch(location.href, { credentials: 'same-origin' });
    if (!res.ok || res.redirected) return;
    const next = new DOMParser().parseFromString(await res.text(), 'text/html');
    for (const el of now) {
      const fresh = next.getElementById(el.id);
      if (!fresh) continue;
      // Open data tables stay open.
      const opened = [...el.querySelectorAll('details')].map((d) => d.open);
      fresh.querySelectorAll('details').forEach((d, i) => {
        if (opened[i]) d.open = true;
      });
      el.replaceWith(fresh);
      enhance(fresh);
    }
  } catch {
    // the server is away: the next event or reconnect asks again
  } finally {
    refresh.running = false;
    if (refresh.kinds.size || refresh.all) askRefresh([]);
  }
}
document.addEventListener('visibilitychange', () => {
  if (!document.hidden && (refresh.kinds.size || refresh.all)) askRefresh([]);
});

function follow(url) {
  let opened = false;
  const source = new EventSource(url);
  // <html data-live="open|retrying|closed">: whether the page is following (tests wait for it).
  const say = (state) => {
    document.documentElement.dataset.live = state;
  };
  // After a reconnect (the server restarted, the network dropped) what was missed is read again.
  source.addEventListener('open', () => {
    if (opened) askRefresh([], true);
    opened = true;
    say('open');
  });
  source.addEventListener('error', () => say(source.readyState === EventSource.CLOSED ? 'closed' : 'retrying'));
  source.addEventListener('message', (e) => {
    let msg;
    try {
      msg = JSON.parse(e.data);
    } catch {
      return;
    }
    if (msg.gap) askRefresh([], true);
    for (const m of msg.monitors ?? []) patchMonitor(m);
    for (const h of msg.healthchecks ?? []) patchHealthcheck(h);
    const kinds = [];
    if (msg.monitors?.length) kinds.push('monitor');
    if (msg.outages?.length) kinds.push('outage');
    if (msg.healthchecks?.length) kinds.push('healthcheck');
    if (kinds.length) askRefresh(kinds);
  });
  // A refusal (signed out, too many live pages) closes it for good: the page stays as loaded.
  return source;
}

const live = document.querySelector('[data-live]');
if (live && typeof EventSource === 'function') follow(live.dataset.live);
