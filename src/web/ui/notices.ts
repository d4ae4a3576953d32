import { html, type Markup } from './html.ts';

/** The notice a redirect asked for with `?done=<key>`: only the texts given here, never one from the URL. */
export function notice(done: unknown, notices: Record<string, string>): Markup | '' {
  const text = typeof done === 'string' && Object.hasOwn(notices, done) ? notices[done] : null;
  return text ? html`<p class="notice" role="status">${text}</p>` : '';
}
