/**
 * A cookie-keeping HTTP client for the dashboard's HTML forms: what a browser without
 * JavaScript does, so tests can walk the pages as a person would.
 */
export interface Page {
  status: number;
  headers: Headers;
  text: string;
  location: string | null;
}

export class FormClient {
  readonly cookies = new Map<string, string>();
  constructor(
    readonly base: string,
    readonly headers: Record<string, string> = {},
  ) {}

  private remember(res: Response) {
    for (const line of res.headers.getSetCookie()) {
      const [pair, ...attrs] = line.split(';');
      const eq = pair.indexOf('=');
      const name = pair.slice(0, eq).trim();
      const value = pair.slice(eq + 1).trim();
      const expired = attrs.some((a) => /^\s*max-age=0\s*$/i.test(a));
      if (expired || !value) this.cookies.delete(name);
      else this.cookies.set(name, value);
    }
  }

  async request(
    method: string,
    path: string,
    body?: string,
    contentType = 'application/x-www-form-urlencoded',
  ): Promise<Page> {
    const headers: Record<string, string> = { ...this.headers };
    if (this.cookies.size) headers.cookie = [...this.cookies].map(([k, v]) => `${k}=${v}`).join('; ');
    if (body !== undefined) headers['content-type'] = contentType;
    const res = await fetch(this.base + path, { method, headers, body, redirect: 'manual' });
    this.remember(res);
    return { status: res.status, headers: res.headers, text: await res.text(), location: res.headers.get('location') };
  }

  get(path: string) {
    return this.request('GET', path);
  }

  post(path: string, fields: Record<string, string>) {
    return this.request('POST', path, new URLSearchParams(fields).toString());
  }

  /** Loads a page, then submits its form (the one whose action is `action`) with its CSRF token. */
  async submit(pagePath: string, action: string, fields: Record<string, string>): Promise<Page> {
    const page = await this.get(pagePath);
    return this.post(action, { _csrf: csrfOf(page.text), ...fields });
  }
}

/** The urlencoded body of a form with repeated fields (checkboxes). */
export function formBody(fields: Record<string, string>, repeated: [string, string][] = []): string {
  const b = new URLSearchParams(fields);
  for (const [k, v] of repeated) b.append(k, v);
  return b.toString();
}

export function csrfOf(html: string): string {
  const m = /name="_csrf" value="([^"]+)"/.exec(html);
  if (!m) throw new Error('no CSRF token on the page');
  return m[1];
}

/** The text of the element with this id (tags stripped, entities of the escaper undone). */
export function textOf(html: string, id: string): string | null {
  const m = new RegExp(`id="${id}"[^>]*>([\\s\\S]*?)</`).exec(html);
  return m
    ? m[1]
        .replace(/<[^>]+>/g, '')
        .replace(/&amp;/g, '&')
        .replace(/&quot;/g, '"')
        .replace(/&#39;/g, "'")
        .replace(/&lt;/g, '<')
        .replace(/&gt;/g, '>')
        .trim()
    : null;
}
