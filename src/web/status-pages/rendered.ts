import type { Rendered } from './views.ts';

/** A document ready to send: `open + nonce + close`, the long part already encoded. */
export interface Prepared {
  open: string;
  close: Buffer;
}

interface Entry {
  version: object;
  doc: Prepared;
}

/**
 * Public documents rendered once per state of their page and kept until it changes: `version` is
 * the page status the service keeps (a new object whenever something on the page changes), so a
 * flood of visitors costs a lookup and the write of bytes already encoded. Bursts share one
 * rendering; the cache holds at most `maxBytes`, least recently used out first.
 */
export class RenderCache {
  private entries = new Map<string, Entry>();
  private flights = new Map<string, { version: object; doc: Promise<Prepared | null> }>();
  private bytes = 0;

  constructor(private maxBytes: number) {}

  get(key: string, version: object, render: () => Promise<Rendered | null>): Promise<Prepared | null> {
    const hit = this.entries.get(key);
    if (hit && hit.version === version) {
      this.entries.delete(key);
      this.entries.set(key, hit);
      return Promise.resolve(hit.doc);
    }
    const flight = this.flights.get(key);
    if (flight && flight.version === version) return flight.doc;
    const doc = render()
      .then((r) => {
        if (!r) return null;
        const prepared = { open: r.open, close: Buffer.from(r.close) };
        this.keep(key, { version, doc: prepared });
        return prepared;
      })
      .finally(() => {
        if (this.flights.get(key)?.doc === doc) this.flights.delete(key);
      });
    this.flights.set(key, { version, doc });
    return doc;
  }

  private keep(key: string, entry: Entry): void {
    const size = (e: Entry) => e.doc.close.length + e.doc.open.length * 2;
    const old = this.entries.get(key);
    if (old) {
      this.bytes -= size(old);
      this.entries.delete(key);
    }
    if (size(entry) > this.maxBytes) return;
    for (const [k, e] of this.entries) {
      if (this.bytes + size(entry) <= this.maxBytes) break;
      this.bytes -= size(e);
      this.entries.delete(k);
    }
    this.entries.set(key, entry);
    this.bytes += size(entry);
  }
}
