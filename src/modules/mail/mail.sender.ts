import type { EntityManager } from '@mikro-orm/postgresql';
import CircuitBreaker from 'opossum';
import type { Clock } from '../../clock.js';
import type { Logger } from '../../logger.js';
import { afterFailure } from './mail.rules.js';
import type { OutboxSeal } from './mail.seal.js';
import { mailStore, type ClaimedMail } from './mail.store.js';
import type { MailTransport } from './mail.transport.js';

export type CircuitState = 'closed' | 'open' | 'halfOpen';

export interface MailSender {
  /** Looks for due mail now (after a commit that wrote some), instead of at the next poll. */
  kick(): void;
  circuit(): CircuitState;
  /** Stops polling and waits for the mail being sent. */
  close(): Promise<void>;
}

const BATCH = 20;
/** Longer than the SMTP timeouts, so a live sender never loses its mail to another instance. */
const LEASE_MS = 5 * 60_000;

/**
 * The outbox's sender; every instance runs one. It claims due mail, sends it through a circuit
 * breaker, and records the outcome. While the circuit is open it claims nothing: mail waits in the
 * outbox, neither lost nor retried in a loop, until a trial send after the reset timeout succeeds.
 */
export function startMailSender(deps: {
  fork: () => EntityManager;
  transport: MailTransport;
  seal: OutboxSeal;
  clock: Clock;
  log: Logger;
  maxAttempts: number;
  retryBaseSeconds: number;
  pollIntervalMs: number;
  breaker: { failures: number; resetMs: number };
  random?: () => number;
  /** Told of each mail sent and each given up (the metrics). */
  observe?: { sent(): void; dead(): void } | undefined;
}): MailSender {
  const { fork, transport, clock, log, pollIntervalMs, random = Math.random } = deps;
  const breaker = new CircuitBreaker((attempt: () => Promise<void>) => attempt(), {
    timeout: false, // the transport has its own timeouts
    resetTimeout: deps.breaker.resetMs,
    volumeThreshold: deps.breaker.failures,
    errorThresholdPercentage: 50,
  });
  breaker.on('open', () => log.warn({ event: 'mail_circuit', state: 'open' }, 'mail circuit opened: mail waits in the outbox'));
  // Half open: try a mail now rather than at the next poll; closed again: send what waited.
  breaker.on('halfOpen', () => {
    log.info({ event: 'mail_circuit', state: 'halfOpen' }, 'mail circuit half open: trying one mail');
    kick();
  });
  breaker.on('close', () => {
    log.info({ event: 'mail_circuit', state: 'closed' }, 'mail circuit closed');
    kick();
  });

  let running: Promise<void> | null = null;
  let again = false;
  let closed = false;

  async function sendOne(em: EntityManager, mail: ClaimedMail): Promise<'sent' | 'failed' | 'refused'> {
    const content = await deps.seal.open(mail.id, mail.sealed);
    if (!content) {
      // Sealed under a key this instance does not have: during a rolling key rotation an instance not yet
      // restarted meets mail sealed under the new key, which another instance can open — so it is retried
      // with backoff like a failed send, and given up only after MAIL_MAX_ATTEMPTS (a key rotated out too
      // early, or a tampered row, never opens).
      const attempts = mail.attempts + 1;
      const next = afterFailure(attempts, deps, clock(), random());
      const reason = 'sealed under a key this instance does not have';
      await mailStore.markFailed(em, mail.id, reason, next.status === 'dead' ? null : next.nextAttemptAt);
      if (next.status === 'dead') {
        deps.observe?.dead();
        log.error({ event: 'mail_dead', mailId: mail.id, kind: mail.kind, attempts, reason: 'unsealable' }, 'mail given up');
      } else log.warn({ event: 'mail_unsealable', mailId: mail.id, kind: mail.kind, attempts }, 'mail not opened here; retried');
      return 'failed';
    }
    try {
      await breaker.fire(() => transport.send({ id: mail.id, kind: mail.kind, ...content }));
    } catch (error) {
      if ((error as { code?: string }).code === 'EOPENBREAKER') return 'refused';
      const attempts = mail.attempts + 1;
      const next = afterFailure(attempts, deps, clock(), random());
      const message = (error as Error).message ?? 'send failed';
      await mailStore.markFailed(em, mail.id, message, next.status === 'dead' ? null : next.nextAttemptAt);
      if (next.status === 'dead') {
        deps.observe?.dead();
        log.error({ event: 'mail_dead', mailId: mail.id, kind: mail.kind, attempts, error: message }, 'mail given up');
      } else {
        log.warn({ event: 'mail_retry', mailId: mail.id, kind: mail.kind, attempts, error: message }, 'mail send failed');
      }
      return 'failed';
    }
    await mailStore.markSent(em, mail.id, clock());
    deps.observe?.sent();
    log.info({ event: 'mail_sent', mailId: mail.id, kind: mail.kind }, 'mail sent');
    return 'sent';
  }

  async function drain() {
    const em = fork();
    do {
      again = false;
      if (closed || breaker.opened) return;
      const batch = await mailStore.claim(em, clock(), LEASE_MS, BATCH);
      for (const [i, mail] of batch.entries()) {
        if ((await sendOne(em, mail)) === 'refused') {
          await mailStore.release(
            em,
            batch.slice(i).map((m) => m.id),
          );
          return;
        }
      }
      // Half open with nothing due (another instance sent it): the trial is a plain connection check.
      if (batch.length === 0 && breaker.halfOpen) {
        await breaker.fire(() => transport.verify()).catch(() => undefined);
      }
      if (batch.length === BATCH) again = true;
    } while (again);
  }

  function kick() {
    if (closed) return;
    if (running !== null) {
      again = true;
      return;
    }
    running = drain()
      .catch((err: unknown) => log.error({ err }, 'mail sender failed'))
      .finally(() => {
        running = null;
      });
  }
  const timer = setInterval(kick, pollIntervalMs).unref();
  kick();

  return {
    kick,
    circuit: () => (breaker.opened ? 'open' : breaker.halfOpen ? 'halfOpen' : 'closed'),
    async close() {
      closed = true;
      clearInterval(timer);
      await running;
      breaker.shutdown();
      transport.close();
    },
  };
}
