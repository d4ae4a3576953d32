// One check worker thread (prober/check-workers.ts starts them): runs the checks it is handed and
// posts the outcomes back. It never opens the database; the scheduler's thread stores the results.
import { parentPort, workerData } from 'node:worker_threads';
import { runCheck } from './probe.ts';
import type { ClaimedMonitor } from '../services/schedule.ts';
import type { CheckWork, CheckWorkerData, CheckReply } from './check-workers.ts';

const { policy, ca } = workerData as CheckWorkerData;
const tlsCa = ca ? Buffer.from(ca) : undefined; // a Buffer arrives as a Uint8Array
const running = new Map<number, AbortController>();
const replies: CheckReply[] = [];

// Outcomes of one turn go back in one message: a message costs more than its contents.
function reply(r: CheckReply) {
  if (replies.length === 0) setImmediate(() => parentPort!.postMessage(replies.splice(0)));
  replies.push(r);
}

parentPort!.on('message', (work: CheckWork) => {
  for (const [id, target] of work.start) {
    const ac = new AbortController();
    running.set(id, ac);
    runCheck(target as ClaimedMonitor, { signal: ac.signal, policy, ca: tlsCa }).then((outcome) => {
      running.delete(id);
      reply([id, outcome]);
    });
  }
  for (const id of work.abort) running.get(id)?.abort();
});
