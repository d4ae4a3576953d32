/** The dashboard renders with the same escaping template as the public status pages. */
export { html, Markup, raw, escapeText as escapeHtml } from '../ui/html.ts';
