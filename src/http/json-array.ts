import { Readable } from 'node:stream';
import type { FastifyReply } from 'fastify';
import { yieldToLoop } from '../services/context.ts';

/**
 * Sends a JSON array read page by page. A list of one page is sent at once; a longer one is
 * written a page at a time as the client reads it (backpressure), so the server never holds
 * the whole answer: the unpaged lists of the wire contract (`GET /v1/monitors`,
 * `GET /v3/incidents`) can be gigabytes at the documented limits. `text` is an item's JSON, whole
 * or in consecutive pieces; with `key` the array is the last property of an object
 * (`{"healthchecks":[…]}`), after those of `head` (`{"period":{…},"monitors":[…]}`).
 */
export async function sendJsonArray<T>(
  reply: FastifyReply,
  pages: AsyncIterator<T[]>,
  text: (item: T) => string | Iterable<string>,
  wrap: { key?: string; head?: Record<string, unknown> } = {},
): Promise<FastifyReply> {
  reply.type('application/json; charset=utf-8');
  const head = wrap.head ? JSON.stringify(wrap.head).slice(1, -1) : '';
  const [open, close] = wrap.key ? [`{${head ? `${head},` : ''}${JSON.stringify(wrap.key)}:[`, ']}'] : ['[', ']'];
  const first = await pages.next();
  if (!first.done) await yieldToLoop();
  const second = first.done ? first : await pages.next();
  if (second.done)
    return reply.send(`${open}${(first.done ? [] : first.value).map((item) => whole(text(item))).join(',')}${close}`);
  return reply.send(Readable.from(chunks([first.value, second.value], pages, text, open, close), { highWaterMark: 1 }));
}

const whole = (text: string | Iterable<string>) => (typeof text === 'string' ? text : [...text].join(''));

/**
 * Pieces written to the socket stay under V8's large-object size (128 KiB): strings that big
 * go to a space only a full collection empties, and a list of 515 KB monitors left hundreds of
 * megabytes of them behind (docs/benchmarks.md, "Worst-case requests").
 */
const PIECE_CHARS = 32 * 1024;

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

async function* chunks<T>(
  read: T[][],
  rest: AsyncIterator<T[]>,
  text: (item: T) => string | Iterable<string>,
  open: string,
  close: string,
): AsyncGenerator<string> {
  let comma = false;
  let buffer = open;
  function* pieces(items: T[]): Generator<string> {
    for (const item of items) {
      if (comma) buffer += ',';
      comma = true;
      const t = text(item);
      for (const s of typeof t === 'string' ? [t] : t) {
        if (buffer.length > 0 && buffer.length + s.length > PIECE_CHARS) {
          yield buffer;
          buffer = '';
        }
        buffer += s;
      }
    }
  }
  for (const page of read) yield* pieces(page);
  for (;;) {
    // A fast reader on loopback never pushes back (every write is taken at once): without this
    // the pages would follow one another without a turn of the event loop.
    await yieldToLoop();
    const next = await rest.next();
    if (next.done) break;
    yield* pieces(next.value);
  }
  yield buffer + close;
}
