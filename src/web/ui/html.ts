import { yieldToLoop } from '../../services/context.ts';

/**
 * HTML built with a tagged template that escapes every interpolation, so a user string can
 * only ever become text. Trusted markup (the output of another `html` call, or raw()) passes as is.
 */
export class Markup {
  constructor(readonly value: string) {}
  toString(): string {
    return this.value;
  }
}

/** Marks a string as trusted markup: only for text the code itself wrote. */
export const raw = (s: string): Markup => new Markup(s);

const ENTITIES: Record<string, string> = { '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' };
// Characters XML 1.0 forbids (and no HTML text needs); incident texts could carry them.
const CONTROL = /[\u0000-\u0008\u000B\u000C\u000E-\u001F\uFFFE\uFFFF]/g;

/** Escapes text for HTML and XML, in content and in double- or single-quoted attributes. */
export function escapeText(s: string): string {
  return s.replace(CONTROL, '').replace(/[&<>"']/g, (c) => ENTITIES[c]);
}

function render(value: unknown): string {
  if (value === null || value === undefined || value === false) return '';
  if (value instanceof Markup) return value.value;
  if (Array.isArray(value)) return value.map(render).join('');
  return escapeText(String(value));
}

export function html(strings: TemplateStringsArray, ...values: unknown[]): Markup {
  let out = strings[0];
  for (let i = 0; i < values.length; i++) out += render(values[i]) + strings[i + 1];
  return new Markup(out);
}

/**
 * Renders a long list (500 services of 90 bars each, an incident's updates) a turn of the event
 * loop at a time: the loop is let go whenever TURN_MS have passed since it was last let go, so a
 * page of megabytes never holds it. `turn` is shared by the nested lists of one document.
 */
const TURN_MS = 10;
export type Turn = () => Promise<void>;
export function newTurn(ms = TURN_MS): Turn {
  let since = performance.now();
  return async () => {
    if (performance.now() - since < ms) return;
    await yieldToLoop();
    since = performance.now();
  };
}

export async function renderInTurns<T>(
  items: readonly T[],
  turn: Turn,
  render: (item: T) => Markup | Promise<Markup>,
): Promise<Markup> {
  // Concatenated, not joined: V8 keeps the pieces and copies them once, when the page is encoded.
  let out = '';
  for (const item of items) {
    out += (await render(item)).value;
    await turn();
  }
  return new Markup(out);
}
