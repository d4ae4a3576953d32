// A check thread entry for test/check-workers.test.ts: the first thread started dies on its
// first message (leaving a marker file); any later one is the real thread, and marks that it ran.
import fs from 'node:fs';
import { parentPort } from 'node:worker_threads';

const marker = process.env.VIGIL_TEST_DYING_MARKER!;
if (!fs.existsSync(marker)) {
  fs.writeFileSync(marker, '');
  parentPort!.once('message', () => process.exit(3));
} else {
  await import('../../src/prober/check-thread.ts');
  parentPort!.once('message', () => fs.writeFileSync(marker, 'checked'));
}
