import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { groupCommit } from '../../src/storage/group-commit.ts';
import type { Store } from '../../src/storage/store.ts';

/** A store whose transactions only run the callback: enough to watch how groups are formed. */
function fakeStore(dialect: 'sqlite' | 'postgres'): Store {
  const db = { transaction: () => ({ execute: (fn: (trx: unknown) => Promise<unknown>) => fn({}) }) };
  return { dialect, db } as unknown as Store;
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const tick = () => sleep(5);

describe('group commit', () => {
  test('on PostgreSQL two groups run at once, never with the same key, and the items of a key keep their order', async () => {
    const running: string[][] = [];
    const applied: string[] = [];
    let most = 0;
    let secondStarted = () => {};
    const second = new Promise<void>((r) => {
      secondStarted = r;
    });
    const write = groupCommit<{ key: string; n: number }, number>(
      fakeStore('postgres'),
      async (_trx, items) => {
        const keys = items.map((i) => i.key);
        for (const other of running) for (const k of keys) assert.ok(!other.includes(k), `${k} in two groups at once`);
        running.push(keys);
        most = Math.max(most, running.length);
        if (running.length === 2) secondStarted();
        // The first group holds on until a second one runs beside it (or it is clear none will).
        if (keys.includes('a') && items[0].n === 0) await Promise.race([second, sleep(2000)]);
        await tick();
        for (const i of items) applied.push(`${i.key}${i.n}`);
        running.splice(running.indexOf(keys), 1);
        return items.map((i) => i.n);
      },
      { keyOf: (i) => i.key },
    );
    const first = write({ key: 'a', n: 0 });
    await new Promise((r) => setImmediate(r)); // the first group is under way
    const rest = [1, 2, 3].flatMap((n) => ['a', 'b', 'c'].map((key) => write({ key, n })));
    assert.deepEqual(await Promise.all([first, ...rest]), [0, 1, 1, 1, 2, 2, 2, 3, 3, 3]);
    assert.equal(most, 2, 'a second group ran beside the first');
    for (const key of ['a', 'b', 'c']) {
      const order = applied.filter((x) => x[0] === key);
      assert.deepEqual(order, [...order].sort(), `the items of ${key} in the order submitted`);
    }
  });

  test('on SQLite one group at a time, whatever the keys', async () => {
    let running = 0;
    let most = 0;
    const write = groupCommit<string, string>(
      fakeStore('sqlite'),
      async (_trx, items) => {
        most = Math.max(most, ++running);
        await tick();
        running--;
        return items;
      },
      { keyOf: (k) => k },
    );
    const first = write('a');
    await new Promise((r) => setImmediate(r));
    assert.deepEqual(await Promise.all([first, write('b'), write('c')]), ['a', 'b', 'c']);
    assert.equal(most, 1);
  });
});
