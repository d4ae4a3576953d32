// Progressive enhancement for the dashboard: every page also works without this file.
// It opens the Create key form in a <dialog>, submits it in place, copies keys and ping URLs,
// submits the chart period on change, and shows only the monitor form's fields of its type.

function enhance(root) {
  for (const button of root.querySelectorAll('[data-copy]')) button.hidden = false;
  for (const button of root.querySelectorAll('[data-hide-when-scripted]')) button.hidden = true;
  for (const select of root.querySelectorAll('select[name=protocol]')) showProtocol(select);
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
  const say = (text) => { if (status) status.textContent = text; };
  try {
    await navigator.clipboard.writeText(input.value); // absent outside secure contexts: falls through
    say('Copied to the clipboard.');
  } catch {
    input.focus();
    input.select();
    let copied = false;
    try { copied = document.execCommand('copy'); } catch {}
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
    const res = await fetch(form.action, { method: 'POST', body: new URLSearchParams(new FormData(form)), credentials: 'same-origin' });
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
});

enhance(document);
// A form sent back with errors: start at the first field to fix.
document.querySelector('main form [aria-invalid=true]')?.focus();
