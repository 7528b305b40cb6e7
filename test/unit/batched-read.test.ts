import type { EntityManager } from '@mikro-orm/postgresql';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { batchedRead, inKeyOrder, KeyFailed, writeInRounds } from '../../src/db/batched-read.js';

const em = { isInTransaction: () => false } as unknown as EntityManager;

/** A read that records how it was called and answers each key with `row:<key>`, or nothing for odd keys. */
function recordingRead(fail = false) {
  const calls: { kind: 'one' | 'many'; keys: number[] }[] = [];
  const answer = (key: number) => (key % 2 === 0 ? `row:${key}` : undefined);
  const read = batchedRead<number, string>({
    async one(_em, key) {
      calls.push({ kind: 'one', keys: [key] });
      if (fail) throw new Error('database down');
      return answer(key);
    },
    async many(_em, keys) {
      calls.push({ kind: 'many', keys: [...keys] });
      if (fail) throw new Error('database down');
      return keys.map(answer);
    },
  });
  return { read, calls };
}

describe('batchedRead', () => {
  it('answers every call of one turn with its own row, from one statement per 100 keys', async () => {
    await fc.assert(
      fc.asyncProperty(fc.array(fc.nat(1000), { minLength: 2, maxLength: 250 }), async (keys) => {
        const { read, calls } = recordingRead();
        const answers = await Promise.all(keys.map((key) => read(em, key)));
        expect(answers).toEqual(keys.map((key) => (key % 2 === 0 ? `row:${key}` : undefined)));
        expect(calls.map((c) => c.keys.length)).toEqual(
          Array.from({ length: Math.ceil(keys.length / 100) }, (_, i) => Math.min(100, keys.length - i * 100)),
        );
        expect(calls.flatMap((c) => c.keys)).toEqual(keys);
        // A batch of one left over after the split runs as a lone call would.
        expect(calls.every((c) => c.kind === (c.keys.length === 1 ? 'one' : 'many'))).toBe(true);
      }),
      { numRuns: 50 },
    );
  });

  it('runs every call made in a transaction alone, on it, never in a batch', async () => {
    const { read, calls } = recordingRead();
    const tx = { isInTransaction: () => true } as unknown as EntityManager;
    expect(await Promise.all([read(tx, 2), read(tx, 4), read(em, 6), read(em, 8)])).toEqual(['row:2', 'row:4', 'row:6', 'row:8']);
    expect(calls).toEqual([
      { kind: 'one', keys: [2] },
      { kind: 'one', keys: [4] },
      { kind: 'many', keys: [6, 8] },
    ]);
  });

  it('runs a lone call unbatched, and calls of a later turn in a new batch', async () => {
    const { read, calls } = recordingRead();
    expect(await read(em, 2)).toBe('row:2');
    expect(await Promise.all([read(em, 4), read(em, 5)])).toEqual(['row:4', undefined]);
    expect(calls).toEqual([
      { kind: 'one', keys: [2] },
      { kind: 'many', keys: [4, 5] },
    ]);
  });

  it('fails every call of a batch whose statement failed, and the next batch runs afresh', async () => {
    const failing = recordingRead(true);
    const outcomes = await Promise.allSettled([failing.read(em, 2), failing.read(em, 4), failing.read(em, 6)]);
    expect(outcomes.map((o) => o.status)).toEqual(['rejected', 'rejected', 'rejected']);
    expect(await failing.read(em, 8).catch((e: Error) => e.message)).toBe('database down');
    expect(failing.calls.map((c) => c.kind)).toEqual(['many', 'one']);
  });

  it('rejects only the caller whose key failed on its own, and answers the others', async () => {
    const read = batchedRead<number, string>({
      one: async (_em, key) => `row:${key}`,
      many: async (_em, keys) => keys.map((key) => (key === 3 ? new KeyFailed(new Error('value too long')) : `row:${key}`)),
    });
    const outcomes = await Promise.allSettled([1, 2, 3, 4].map((key) => read(em, key)));
    expect(outcomes.map((o) => (o.status === 'fulfilled' ? o.value : (o.reason as Error).message))).toEqual([
      'row:1',
      'row:2',
      'value too long',
      'row:4',
    ]);
  });

  it('answers undefined for keys a statement found no row for, the last key included (inKeyOrder leaves holes)', async () => {
    // Rows come back as a statement over unnest(...) gives them: only for the keys it found, by position.
    const read = batchedRead<number, string>({
      one: async (_em, key) => `row:${key}`,
      many: async (_em, keys) =>
        inKeyOrder(
          keys.flatMap((key, i) => (key === 1 ? [{ ord: i + 1, key }] : [])),
          keys.length,
          (row) => `row:${row.key}`,
        ),
    });
    expect(await Promise.all([1, 2, 3].map((key) => read(em, key)))).toEqual(['row:1', undefined, undefined]);
  });

  it('fails the callers of a read that throws instead of rejecting, and nothing else', async () => {
    const read = batchedRead<number, string>({
      one: () => {
        throw new Error('thrown by one');
      },
      many: () => {
        throw new Error('thrown by many');
      },
    });
    await expect(read(em, 1)).rejects.toThrow('thrown by one');
    const both = await Promise.allSettled([read(em, 1), read(em, 2)]);
    expect(both.map((o) => (o.status === 'rejected' ? (o.reason as Error).message : o.status))).toEqual([
      'thrown by many',
      'thrown by many',
    ]);
  });
});

describe('writeInRounds', () => {
  /** Writes `row:<id>` for each key; `failOne` and `failMany` name the keys whose statements fail, and how. */
  function recordingWrite(fail: { one?: Record<string, string>; many?: Record<string, string> } = {}) {
    const statements: string[][] = [];
    const error = (code: string) => Object.assign(new Error(`failed with ${code}`), { code });
    const write = {
      async one(_em: EntityManager, key: string) {
        statements.push([key]);
        if (fail.one?.[key]) throw error(fail.one[key]);
        return `row:${key}`;
      },
      async many(_em: EntityManager, keys: readonly string[]) {
        statements.push([...keys]);
        const failing = keys.find((key) => fail.many?.[key]);
        if (failing) throw error(fail.many![failing]!);
        return keys.map((key) => `row:${key}`);
      },
    };
    return { write, statements };
  }
  const outcomes = (results: unknown[]) =>
    results.map((r) => (r instanceof KeyFailed ? `failed: ${(r.error as Error).message}` : r));

  it('writes a row once per statement: a key repeated goes in the next round, and a round of one alone', async () => {
    const { write, statements } = recordingWrite();
    const results = await writeInRounds(em, ['a', 'b', 'a', 'c', 'a'], (key) => key, write);
    expect(results).toEqual(['row:a', 'row:b', 'row:a', 'row:c', 'row:a']);
    expect(statements).toEqual([['a', 'b', 'c'], ['a'], ['a']]);
  });

  it('writes a round one key at a time when one row fails it, and fails only that key', async () => {
    const { write, statements } = recordingWrite({ many: { b: '23503' }, one: { b: '23503' } });
    const results = await writeInRounds(em, ['a', 'b', 'c'], (key) => key, write);
    expect(outcomes(results)).toEqual(['row:a', 'failed: failed with 23503', 'row:c']);
    expect(statements).toEqual([['a', 'b', 'c'], ['a'], ['b'], ['c']]);
  });

  it('fails only the keys of the round whose statement failed otherwise; earlier rounds keep their rows', async () => {
    // The second round's statement fails for a reason no single row explains (the connection, say).
    const { write } = recordingWrite({ one: { a: '08006' } });
    const results = await writeInRounds(em, ['a', 'b', 'a'], (key) => key, write);
    expect(outcomes(results)).toEqual(['row:a', 'row:b', 'failed: failed with 08006']);
    const failingRound = recordingWrite({ many: { b: '57014' } });
    const second = await writeInRounds(em, ['a', 'b', 'a', 'c'], (key) => key, failingRound.write);
    expect(outcomes(second)).toEqual([
      'failed: failed with 57014',
      'failed: failed with 57014',
      'row:a',
      'failed: failed with 57014',
    ]);
  });
});
