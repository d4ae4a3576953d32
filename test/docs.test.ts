// The documentation's links: every relative link (and image) in README.md and docs/*.md points at a
// file that exists and, with a #anchor, at a heading of that file (GitHub's slugs). The README
// stays a front door: at most 15 KiB. Links to http(s) and mailto: are not followed (no network).
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';

const ROOT = path.resolve(import.meta.dirname, '..');
const DOCS = path.join(ROOT, 'docs');
const README_MAX_BYTES = 15 * 1024;

/** README.md and every docs/*.md, relative to the checkout. */
function pages(): string[] {
  const docs = fs
    .readdirSync(DOCS)
    .filter((f) => f.endsWith('.md'))
    .sort()
    .map((f) => `docs/${f}`);
  return ['README.md', ...docs];
}

/** The lines outside fenced code blocks, with inline code spans blanked out. */
function prose(markdown: string): string[] {
  const out: string[] = [];
  let fence: string | null = null;
  for (const line of markdown.split('\n')) {
    const m = /^\s*(```+|~~~+)/.exec(line);
    if (m) {
      if (fence === null) fence = m[1][0];
      else if (m[1][0] === fence) fence = null;
      out.push('');
      continue;
    }
    out.push(fence === null ? line.replace(/(`+)[^`]*?\1/g, (s) => ' '.repeat(s.length)) : '');
  }
  return out;
}

/** GitHub's anchor for a heading's text: lowercase, punctuation dropped except '-' and '_', each space a '-'. */
export function slug(heading: string): string {
  const text = heading
    .replace(/!?\[([^\]]*)\]\([^)]*\)/g, '$1') // links and images: their text
    .replace(/<[^>]+>/g, '') // inline HTML
    .replace(/`/g, '');
  return text
    .trim()
    .toLowerCase()
    .replace(/[^\p{L}\p{M}\p{N}_\- ]/gu, '')
    .replace(/ /g, '-');
}

/** Every anchor the headings of a markdown file produce (duplicates get -1, -2, …). */
function anchors(markdown: string): Set<string> {
  const seen = new Map<string, number>();
  const out = new Set<string>();
  for (const line of prose(markdown)) {
    const m = /^ {0,3}#{1,6}\s+(.*?)\s*#*\s*$/.exec(line);
    if (!m) continue;
    const base = slug(m[1]);
    const n = seen.get(base) ?? 0;
    seen.set(base, n + 1);
    out.add(n === 0 ? base : `${base}-${n}`);
  }
  return out;
}

interface Link {
  file: string;
  line: number;
  target: string;
}

/** Markdown links and images, and the src/href of inline HTML, outside code. */
function links(file: string): Link[] {
  // Joined again, so a link whose text wraps onto the next line is found too.
  const text = prose(fs.readFileSync(path.join(ROOT, file), 'utf8')).join('\n');
  const lineAt = (index: number) => text.slice(0, index).split('\n').length;
  const out: Link[] = [];
  for (const m of text.matchAll(/!?\[[^\]]*\]\(\s*<?([^)\s>]+)>?(?:\s+"[^"]*")?\s*\)/g))
    out.push({ file, line: lineAt(m.index!), target: m[1] });
  for (const m of text.matchAll(/<(?:img|a)\b[^>]*?\b(?:src|href)="([^"]+)"/gi))
    out.push({ file, line: lineAt(m.index!), target: m[1] });
  return out;
}

const external = (target: string) => /^(?:https?:|mailto:)/i.test(target);

/** Why a relative link does not resolve, or null when it does. */
function broken(link: Link): string | null {
  const [rawPath, anchor] = link.target.split('#', 2) as [string, string | undefined];
  const targetFile =
    rawPath === ''
      ? path.join(ROOT, link.file)
      : path.resolve(path.dirname(path.join(ROOT, link.file)), decodeURIComponent(rawPath));
  if (!targetFile.startsWith(ROOT + path.sep) && targetFile !== ROOT) return 'points outside the repository';
  if (!fs.existsSync(targetFile)) return `${path.relative(ROOT, targetFile)} does not exist`;
  if (anchor === undefined) return null;
  if (!targetFile.endsWith('.md')) return `#${anchor} on a file that is not markdown`;
  const found = anchors(fs.readFileSync(targetFile, 'utf8'));
  return found.has(decodeURIComponent(anchor).toLowerCase())
    ? null
    : `no heading of ${path.relative(ROOT, targetFile)} makes #${anchor}`;
}

describe('documentation', () => {
  test('slugs follow GitHub: lowercase, punctuation dropped, spaces as hyphens, duplicates numbered', () => {
    assert.equal(slug('Heartbeats (cron jobs)'), 'heartbeats-cron-jobs');
    assert.equal(slug('200 concurrent API clients'), '200-concurrent-api-clients');
    assert.equal(slug('Regional probes: fallback and quorum'), 'regional-probes-fallback-and-quorum');
    assert.equal(slug('Import from Hyperping (or another Vigil)'), 'import-from-hyperping-or-another-vigil');
    assert.equal(slug('The `/metrics` endpoint'), 'the-metrics-endpoint');
    assert.equal(slug('Alerting → Rules'), 'alerting--rules');
    assert.equal(slug('Run it and test it'), 'run-it-and-test-it');
    assert.deepEqual(
      [...anchors('# A\n\n## Notes\n```\n# not a heading\n```\n## Notes\n### Notes')],
      ['a', 'notes', 'notes-1', 'notes-2'],
    );
  });

  test('every relative link and image in README.md and docs/*.md resolves, anchors included', () => {
    const all = pages().flatMap(links);
    const relative = all.filter((l) => !external(l.target));
    assert.ok(relative.length > 50, `only ${relative.length} relative links found: is the link parser broken?`);
    assert.ok(
      relative.some((l) => l.target.includes('#')),
      'no link with an anchor found',
    );
    assert.ok(
      relative.some((l) => /\.png$/.test(l.target)),
      'no image found',
    );
    const problems = relative
      .map((l) => [l, broken(l)] as const)
      .filter(([, why]) => why !== null)
      .map(([l, why]) => `${l.file}:${l.line}: (${l.target}) ${why}`);
    assert.deepEqual(problems, []);
  });

  test('README.md is a front door: at most 15,360 bytes', () => {
    const size = fs.statSync(path.join(ROOT, 'README.md')).size;
    assert.ok(
      size <= README_MAX_BYTES,
      `README.md is ${size} bytes, more than ${README_MAX_BYTES}: move the detail into docs/`,
    );
  });

  test('every docs page is listed in README.md and in the index docs/README.md', () => {
    const readme = links('README.md').map((l) => l.target.split('#')[0]);
    const index = links('docs/README.md').map((l) => l.target.split('#')[0]);
    for (const page of pages().filter((p) => p.startsWith('docs/') && p !== 'docs/README.md')) {
      assert.ok(readme.includes(page), `README.md does not link ${page}`);
      assert.ok(index.includes(path.basename(page)), `docs/README.md does not link ${page}`);
    }
  });
});
