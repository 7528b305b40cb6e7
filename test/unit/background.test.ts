import { Writable } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { createBackgroundTasks } from '../../src/background.js';
import { createLogger } from '../../src/logger.js';

const quiet = () => createLogger({ level: 'silent', destination: new Writable({ write: (_c, _e, done) => done() }) });

describe('background tasks', () => {
  it('start work after the response only once every pending continuation of the request has run', async () => {
    const background = createBackgroundTasks(quiet());
    const order: string[] = [];
    background.afterResponse('late', async () => {
      order.push('task');
    });
    // A request's tail: many promise hops (error formatting, serialising, res.end) after the resolver.
    let tail = Promise.resolve();
    for (let i = 0; i < 1000; i++) tail = tail.then(() => undefined);
    await tail.then(() => order.push('response written'));
    await background.drain();
    expect(order).toEqual(['response written', 'task']);
  });

  it('waits at drain for a task that has not started yet', async () => {
    const background = createBackgroundTasks(quiet());
    let done = false;
    background.afterResponse('late', async () => {
      done = true;
    });
    await background.drain();
    expect(done).toBe(true);
  });
});
