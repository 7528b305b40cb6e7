import type { EntityManager } from '@mikro-orm/postgresql';
import type { Clock } from '../../clock.js';
import type { Logger } from '../../logger.js';
import { emailTokenStore } from '../email-token/email-token.store.js';
import { mailStore } from '../mail/mail.store.js';
import { oauthStore } from '../oauth/oauth.store.js';
import { progressStore } from '../progress/progress.store.js';
import { securityEventStore } from '../security-event/security-event.store.js';
import { sessionStore } from '../session/session.store.js';
import { cutoffsFor, inBatches, type RetentionSettings } from './retention.rules.js';

export interface RetentionOptions extends RetentionSettings {
  batchSize: number;
  /** Batches per rule per run at most: a backlog is worked off over several runs, never in one long one. */
  maxBatches: number;
}

export type PurgeReport = Record<string, { rows: number; batches: number }>;

export interface Retention {
  /** Applies every retention rule once, rule after rule, each in bounded batches. */
  purge(): Promise<PurgeReport>;
}

/**
 * Every table that grows with traffic, with its retention rule; each store deletes its own rows. Every
 * instance runs the purge on its own timer: batches take rows with SKIP LOCKED, so instances purging at
 * once share the work instead of waiting on each other. (App users, OAuth links and service accounts grow
 * with accounts, not traffic, and end only when deleted.)
 */
/** One retention rule: deletes at most `limit` rows past their time and says how many it deleted. */
export type RetentionRule = [name: string, purge: (em: EntityManager, limit: number) => Promise<number>];

export function createRetention(
  options: RetentionOptions,
  deps: { fork: () => EntityManager; clock: Clock },
  /** Rules of features that keep their own retention setting (the audit log). */
  more: RetentionRule[] = [],
): Retention {
  return {
    async purge() {
      const at = cutoffsFor(deps.clock(), options);
      const rules: RetentionRule[] = [
        ['securityEvents', (em, limit) => securityEventStore.purgeBefore(em, at.securityEventsBefore, limit)],
        ['refreshTokensOfEndedSessions', (em, limit) => sessionStore.purgeEndedTokens(em, at.sessionsEndedBefore, limit)],
        ['endedSessions', (em, limit) => sessionStore.purgeEndedSessions(em, at.sessionsEndedBefore, limit)],
        ['expiredEmailTokens', (em, limit) => emailTokenStore.purgeExpired(em, at.expiredAt, limit)],
        ['finishedMail', (em, limit) => mailStore.purgeFinished(em, at.finishedMailBefore, limit)],
        ['expiredProgress', (em, limit) => progressStore.purgeExpired(em, at.expiredAt, limit)],
        ['expiredOAuthStates', (em, limit) => oauthStore.purgeExpiredStates(em, at.expiredAt, limit)],
        ...more,
      ];
      const report: PurgeReport = {};
      for (const [name, rule] of rules) {
        report[name] = await inBatches((limit) => rule(deps.fork(), limit), options);
      }
      return report;
    },
  };
}

/** Runs the purge every `intervalMs` on this instance, one run at a time; returns the stop function. */
export function schedulePurge(retention: Retention, intervalMs: number, log: Logger): () => void {
  let running = false;
  const timer = setInterval(() => {
    if (running) return;
    running = true;
    retention
      .purge()
      .then(
        (report) => {
          const purged = Object.fromEntries(Object.entries(report).flatMap(([k, v]) => (v.rows ? [[k, v.rows]] : [])));
          if (Object.keys(purged).length) log.info({ purged }, 'purged rows past their retention');
        },
        (err: unknown) => log.error({ err }, 'purge failed'),
      )
      .finally(() => {
        running = false;
      });
  }, intervalMs);
  timer.unref();
  return () => clearInterval(timer);
}
