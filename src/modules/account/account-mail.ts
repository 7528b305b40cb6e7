import type { EntityManager } from '@mikro-orm/postgresql';
import type { BackgroundTasks } from '../../background.js';
import type { Clock } from '../../clock.js';
import type { Logger } from '../../logger.js';
import { transaction } from '../../db/sql.js';
import { EmailTokenPurpose } from '../email-token/email-token.rules.js';
import { emailTokenStore } from '../email-token/email-token.store.js';
import type { PriorSessions } from '../session/session.store.js';
import type { LimiterFactory } from '../rate-limit/limiter-factory.js';
import { MailKind, type Mailer } from '../mail/mailer.js';
import { RateLimiterRes } from 'rate-limiter-flexible';
import { type ClientInfo, rateLimitKeyForIp, storedUserAgent } from '../request/client-info.js';
import { accountStore } from './account.store.js';

/** The account mail other features trigger: verification at sign-up, the new-sign-in notice. */
export interface AccountMail {
  /** Issues a verification token and writes its mail, in `em`'s transaction. */
  sendVerification(em: EntityManager, user: { id: string; email: string }): Promise<void>;
  /**
   * Mail work for a request that must answer the same whether or not an account exists: run after the
   * response, and silently skipped when the target address has had its share of mail this hour. An outcome
   * the work returns (a string) is logged once its transaction has committed. The hourly share is counted per
   * (target, requester address) under a larger ceiling per target, so a stranger spends only their own
   * share; when `ownerKnown` says the requester is the account's owner (a device or address that signed in
   * before), neither is counted and the mail goes out whatever strangers have spent.
   */
  later(
    label: string,
    targetEmail: string,
    work: (em: EntityManager) => Promise<unknown>,
    requester?: { ip: string | null; ownerKnown?: (em: EntityManager) => Promise<boolean> },
  ): void;
  /** verify-first sign-up with a taken address: tells its owner, in `em`'s transaction (see auth.service register). */
  noticeSignUpAttempt(em: EntityManager, email: string): Promise<void>;
  /** After a sign-in: tells the owner when it came from a client the account has not used before. */
  /**
   * Mails the owner about a sign-in from a client the account has not used. `prior`: the account's sessions
   * before this one, when the statement that opened it said (a password sign-in); else they are read here.
   */
  noticeSignIn(userId: string, sessionId: string, client: ClientInfo, prior?: { email: string } & PriorSessions): void;
  /** After a commit that wrote mail. */
  kick(): void;
}

/** The first session is the sign-up itself, and a client seen before is not news. */
const isNewClient = (history: PriorSessions) => history.others > 0 && history.sameClient === 0;

/**
 * Mail to one address, per hour: from one requester address enough for a person, too little to make
 * Tollgate a mail cannon; from everyone together a larger ceiling, which the owner's known device or
 * address is never refused by.
 */
const PER_TARGET_AND_REQUESTER = { points: 5, windowSeconds: 3600 };
const PER_TARGET = { points: 20, windowSeconds: 3600 };

export function createAccountMail(deps: {
  mailer: Mailer;
  fork: () => EntityManager;
  background: BackgroundTasks;
  makeLimiter: LimiterFactory;
  clock: Clock;
  log: Logger;
}): AccountMail {
  const { mailer, fork, background, clock, log } = deps;
  const perTarget = deps.makeLimiter({ ...PER_TARGET, keyPrefix: 'mail-target' });
  const perRequester = deps.makeLimiter({ ...PER_TARGET_AND_REQUESTER, keyPrefix: 'mail-target-requester' });

  /** Spends the request's shares; false when either is spent. */
  async function share(targetEmail: string, ip: string | null): Promise<boolean> {
    try {
      await perRequester.consume(`${targetEmail}|${rateLimitKeyForIp(ip ?? '')}`);
      await perTarget.consume(targetEmail);
      return true;
    } catch (error) {
      if (error instanceof RateLimiterRes) return false;
      throw error;
    }
  }

  return {
    async sendVerification(em, user) {
      if (!mailer.enabled) return;
      const account = await accountStore.credentials(em, { id: user.id });
      if (!account) return;
      const token = await emailTokenStore.issue(
        em,
        { userId: user.id, purpose: EmailTokenPurpose.VERIFY_EMAIL, email: user.email, generation: account.generation },
        clock(),
      );
      await mailer.enqueue(
        em,
        MailKind.VERIFY_EMAIL,
        { userId: user.id, email: user.email },
        { link: mailer.link('verifyEmail', token) },
      );
    },

    later(label, targetEmail, work, requester) {
      // After the response: whether the address has an account decides what `work` writes.
      background.afterResponse(label, async () => {
        const owner = requester?.ownerKnown ? await requester.ownerKnown(fork()) : false;
        if (!owner && !(await share(targetEmail, requester?.ip ?? null))) {
          log.info({ event: 'mail_target_limited', label }, 'mail to this address skipped: hourly share spent');
          return;
        }
        const outcome = await transaction(fork(), work);
        mailer.kick();
        if (typeof outcome === 'string') log.info({ event: 'mail_work', label, outcome }, 'mail work done');
      });
    },

    kick: () => mailer.kick(),

    async noticeSignUpAttempt(em, email) {
      const account = await accountStore.credentials(em, { email });
      if (!account) return;
      await mailer.enqueue(em, MailKind.SIGN_UP_ATTEMPT, { userId: account.id, email: account.email });
    },

    noticeSignIn(userId, sessionId, client, prior) {
      if (!mailer.notifies('newSignIn')) return;
      // Known already, and not news: nothing to read or write (the usual sign-in).
      if (prior && !isNewClient(prior)) return;
      background.run('new sign-in notice', async () => {
        const em = fork();
        const history = prior ?? (await accountStore.signInHistory(em, userId, sessionId, storedUserAgent(client)));
        if (!history || !isNewClient(history)) return;
        await mailer.enqueue(em, MailKind.NEW_SIGN_IN, { userId, email: history.email }, { client, at: clock() });
        mailer.kick();
      });
    },
  };
}
