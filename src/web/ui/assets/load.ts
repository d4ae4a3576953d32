import { createHash } from 'node:crypto';
import fs from 'node:fs';
import type { Assets } from '../layout.ts';

/** The dashboard's stylesheet and script, served from memory; their URLs carry a hash of both, so a new release is fetched anew. */
export function loadAssets(): { assets: Assets; files: Map<string, { body: Buffer; type: string }> } {
  const read = (name: string) => fs.readFileSync(new URL(`./${name}`, import.meta.url));
  const files = new Map([
    ['dashboard.css', { body: read('dashboard.css'), type: 'text/css; charset=utf-8' }],
    ['dashboard.js', { body: read('dashboard.js'), type: 'text/javascript; charset=utf-8' }],
  ]);
  const hash = createHash('sha256');
  for (const f of files.values()) hash.update(f.body);
  const v = hash.digest('hex').slice(0, 12);
  return { assets: { css: `/app/assets/dashboard.css?v=${v}`, js: `/app/assets/dashboard.js?v=${v}` }, files };
}
