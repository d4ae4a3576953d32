import { Readable } from 'node:stream';
import type { FastifyReply } from 'fastify';
import { yieldToLoop } from '../services/context.ts';

/**
 * Sends a JSON array read page by page. A list of one page is sent at once; a longer one is
 * written a page at a time as the client reads it (backpressure), so the server never holds
 * the whole answer: the unpaged lists of the wire contract (`GET /v1/monitors`,
 * `GET /v3/incidents`) can be gigabytes at the documented limits. `text` is an item's JSON;
 * with `key` the array is the one property of an object (`{"healthchecks":[…]}`).
 */
export async function sendJsonArray<T>(
  reply: FastifyReply, pages: AsyncIterator<T[]>, text: (item: T) => string, wrap: { key?: string } = {},
): Promise<FastifyReply> {
  reply.type('application/json; charset=utf-8');
  const [open, close] = wrap.key ? [`{${JSON.stringify(wrap.key)}:[`, ']}'] : ['[', ']'];
  const first = await pages.next();
  if (!first.done) await yieldToLoop();
  const second = first.done ? first : await pages.next();
  if (second.done) return reply.send(`${open}${(first.done ? [] : first.value).map(text).join(',')}${close}`);
  return reply.send(Readable.from(chunks([first.value, second.value], pages, text, open, close), { highWaterMark: 1 }));
}

/**
 * A long text written piece by piece as the client reads it, the event loop turning between
 * pieces: for answers built as they are written (GET /metrics).
 */
export function sendPieces(reply: FastifyReply, pieces: Iterable<string>): FastifyReply {
  const iterator = pieces[Symbol.iterator]();
  const first = iterator.next();
  const second = first.done ? first : iterator.next();
  if (second.done) return reply.send(first.done ? '' : first.value);
  return reply.send(Readable.from(inTurns([first.value, second.value], iterator), { highWaterMark: 1 }));
}

async function* inTurns(read: string[], rest: Iterator<string>): AsyncGenerator<string> {
  yield read.join('');
  for (;;) {
    await yieldToLoop();
    const next = rest.next();
    if (next.done) return;
    yield next.value;
  }
}

async function* chunks<T>(read: T[][], rest: AsyncIterator<T[]>, text: (item: T) => string, open: string, close: string): AsyncGenerator<string> {
  let comma = false;
  const piece = (items: T[]) => {
    if (items.length === 0) return '';
    const s = (comma ? ',' : '') + items.map(text).join(',');
    comma = true;
    return s;
  };
  yield open + read.map(piece).join('');
  for (;;) {
    // A fast reader on loopback never pushes back (every write is taken at once): without this
    // the pages would follow one another without a turn of the event loop.
    await yieldToLoop();
    const next = await rest.next();
    if (next.done) break;
    const s = piece(next.value);
    if (s) yield s;
  }
  yield close;
}
