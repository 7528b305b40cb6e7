import { randomUUID } from 'node:crypto';
import type { EntityManager } from '@mikro-orm/postgresql';
import { beforeAll, describe, expect, it } from 'vitest';
import { sqlState, transaction } from '../../src/db/sql.js';
import { SecurityEventType } from '../../src/modules/security-event/security-event.entity.js';
import { securityEventStore } from '../../src/modules/security-event/security-event.store.js';
import { userStore } from '../../src/modules/user/user.store.js';
import { createTestApp, signUp, type TestApp } from '../helpers/test-app.js';

let app: TestApp;
beforeAll(async () => {
  app = await createTestApp();
});

const fork = () => app.orm.em.fork() as EntityManager;
const lastLoginOf = async (userId: string) => (await userStore.findById(fork(), userId))?.lastLoginAt ?? null;
const hashOf = async (email: string) => (await userStore.findWithPassword(fork(), { email }))!.passwordHash!;
const event = (userId: string) => ({
  userId,
  type: SecurityEventType.LOGIN_FAILED,
  sessionId: null,
  at: new Date(),
  ip: null,
  userAgent: null,
});

describe('store writes inside transaction()', () => {
  it('roll back together: the second write fails, so the first is undone', async () => {
    const { user } = await signUp(app);
    const verifiedHash = await hashOf(user.email);
    const at = new Date('2030-01-02T03:04:05.000Z');
    let seenInside: Date | null = null;
    let seenOutside: Date | null | undefined;
    const failure = await transaction(fork(), async (tx) => {
      await userStore.recordLogin(tx, { userId: user.id, at, verifiedHash, rehashedPassword: null });
      seenInside = (await userStore.findById(tx, user.id))?.lastLoginAt ?? null;
      seenOutside = await lastLoginOf(user.id);
      // No such user: the foreign key refuses the event.
      await securityEventStore.insert(tx, event(randomUUID()));
    }).catch((error: unknown) => error);

    expect(sqlState(failure)).toBe('23503');
    // The first write ran, on the transaction's connection: visible inside, not yet outside.
    expect(seenInside).toEqual(at);
    expect(seenOutside).toBeNull();
    expect(await lastLoginOf(user.id)).toBeNull();
  });

  it('commit together when both succeed', async () => {
    const { user } = await signUp(app);
    const verifiedHash = await hashOf(user.email);
    const at = new Date('2030-01-02T03:04:05.000Z');
    await transaction(fork(), async (tx) => {
      await userStore.recordLogin(tx, { userId: user.id, at, verifiedHash, rehashedPassword: null });
      await securityEventStore.insert(tx, event(user.id));
    });
    expect(await lastLoginOf(user.id)).toEqual(at);
    const events = await securityEventStore.recent(fork(), user.id, 10);
    expect(events.map((e) => e.type)).toContain(SecurityEventType.LOGIN_FAILED);
  });
});
