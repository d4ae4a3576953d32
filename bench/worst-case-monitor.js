// Loaded into the server by bench/worst-case.ts (`node --expose-gc --import <this file> bin/vigil.js
// serve`, with an IPC channel): the server's own event-loop delay and heap during one row, read
// over IPC so that measuring costs the server nothing per monitor (GET /metrics walks every one).
// Plain JavaScript and Node APIs only: it is bench code, not part of Vigil.
import { monitorEventLoopDelay } from 'node:perf_hooks';
import v8 from 'node:v8';

export const RESOLUTION_MS = 2;

if (process.send) {
  // Each sample is the time between two ticks of a RESOLUTION_MS timer: a loop blocked for
  // 300 ms gives one sample of about 300 ms.
  const delay = monitorEventLoopDelay({ resolution: RESOLUTION_MS });
  delay.enable();
  const used = () => v8.getHeapStatistics().used_heap_size;
  let gc = null;
  let start = 0;
  let cpu = process.cpuUsage();
  process.on('message', (m) => {
    if (m?.worstCase === 'start') {
      globalThis.gc?.(); // the live heap, without the garbage of earlier rows
      start = used();
      gc?.stop();
      gc = new v8.GCProfiler(); // the heap before every collection: its peak between samples
      gc.start();
      delay.reset();
      cpu = process.cpuUsage();
      process.send({ worstCase: 'started', heapStart: start });
    } else if (m?.worstCase === 'stop') {
      const spent = process.cpuUsage(cpu);
      const end = used();
      const collections = gc?.stop()?.statistics ?? [];
      gc = null;
      let peak = Math.max(start, end);
      let gcMaxMs = 0;
      for (const c of collections) {
        peak = Math.max(peak, c.beforeGC.heapStatistics.usedHeapSize);
        gcMaxMs = Math.max(gcMaxMs, c.cost / 1000); // µs
      }
      globalThis.gc?.();
      const ms = (ns) => Math.max(0, ns / 1e6 - RESOLUTION_MS);
      process.send({
        worstCase: 'stopped',
        loopP99Ms: delay.count ? ms(delay.percentile(99)) : 0,
        loopMaxMs: delay.count ? ms(delay.max) : 0,
        heapStart: start,
        heapPeak: peak,
        heapEnd: end,
        heapKept: used(),
        rss: process.memoryUsage.rss(),
        gcs: collections.length,
        gcMaxMs,
        // CPU the server spent (user + system): on a shared machine, work rather than waiting.
        cpuMs: (spent.user + spent.system) / 1000,
      });
    }
  });
  process.channel?.unref(); // the channel never keeps the server alive
}
