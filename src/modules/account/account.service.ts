import type { EntityManager } from '@mikro-orm/postgresql';
import type { Clock } from '../../clock.js';
import { sqlState, transaction, UNIQUE_VIOLATION } from '../../db/sql.js';
import { AppError, badInput, conflict, ErrorCode, invalidCredentials, invalidToken } from '../../errors.js';
import type { Logger } from '../../logger.js';
import type { AuthService } from '../auth/auth.service.js';
import type { AuthPayload } from '../auth/auth.types.js';
import { canonicalEmail, emailProblem, passwordProblem } from '../auth/credentials.rules.js';
import type { DeviceTokens } from '../auth/device-token.js';
import type { LoginThrottle } from '../auth/login-throttle.js';
import type { PasswordHasher } from '../auth/password.hasher.js';
import { EmailTokenPurpose, emailTokenUsable } from '../email-token/email-token.rules.js';
import { emailTokenStore } from '../email-token/email-token.store.js';
import { mailStore } from '../mail/mail.store.js';
import { MailKind, type Mailer } from '../mail/mailer.js';
import type { ClientInfo } from '../request/client-info.js';
import { SecurityEventType } from '../security-event/security-event.entity.js';
import type { SecurityEvents } from '../security-event/security-event.service.js';
import type { CredentialEvent, SessionService } from '../session/session.service.js';
import { userStore } from '../user/user.store.js';
import type { UserView } from '../user/user.view.js';
import type { AccountMail } from './account-mail.js';
import { createPasswordRecheck } from './account-reauth.js';
import { ownerProof } from './account.rules.js';
import { accountStore } from './account.store.js';

export interface AccountRequest {
  em: EntityManager;
  log: Logger;
  client: ClientInfo;
}

/** The signed-in caller, as the account flows need them. */
export interface AccountCaller {
  userId: string;
  sessionId: string;
}

export interface AccountService {
  requestEmailVerification(req: AccountRequest, user: UserView): Promise<void>;
  verifyEmail(req: AccountRequest, token: string): Promise<UserView>;
  requestPasswordReset(req: AccountRequest, email: string, deviceToken: string | null): void;
  resetPassword(req: AccountRequest, token: string, newPassword: string): Promise<void>;
  changePassword(req: AccountRequest, caller: AccountCaller, current: string | null, next: string): Promise<AuthPayload>;
  requestEmailChange(req: AccountRequest, caller: AccountCaller, newEmail: string, current: string | null): Promise<void>;
  confirmEmailChange(req: AccountRequest, token: string): Promise<UserView>;
  revertEmailChange(req: AccountRequest, token: string): Promise<void>;
  deleteAccount(req: AccountRequest, caller: AccountCaller, current: string | null): Promise<void>;
  hasPassword(em: EntityManager, userId: string): Promise<boolean>;
}

export function createAccountService(deps: {
  hasher: PasswordHasher;
  /** The login failure budgets, which every check of a current password spends too. */
  throttle: LoginThrottle;
  /** A device token presented with a reset request shows the owner asking. */
  deviceTokens: DeviceTokens;
  isCommonPassword: (password: string) => boolean;
  sessions: SessionService;
  auth: AuthService;
  events: SecurityEvents;
  mailer: Mailer;
  accountMail: AccountMail;
  clock: Clock;
}): AccountService {
  const { deviceTokens } = deps;
  const { hasher, throttle, isCommonPassword, sessions, auth, events, mailer, accountMail, clock } = deps;

  const checkNewPassword = (field: string, password: string) => {
    const problem = passwordProblem(password, isCommonPassword);
    if (problem) throw badInput(field, problem);
  };

  const checkCurrentPassword = createPasswordRecheck({ throttle, hasher, events, sessions });

  /** The caller's account, once they have shown they own it (see ownerProof). */
  async function provenOwner(req: AccountRequest, caller: AccountCaller, current: string | null) {
    const { em } = req;
    const account = await accountStore.credentials(em, { id: caller.userId });
    const openedAt = await accountStore.sessionOpenedAt(em, caller.sessionId);
    if (!account || !openedAt) throw new AppError(ErrorCode.UNAUTHENTICATED, 'Authentication required.');
    const verdict =
      account.passwordHash && current ? await checkCurrentPassword(req, caller, account.passwordHash, current) : null;
    const proof = ownerProof({
      hasPassword: account.passwordHash !== null,
      currentPassword: current,
      verdict,
      sessionOpenedAt: openedAt,
      now: clock(),
    });
    if (proof === 'password_required') throw badInput('currentPassword', 'Your current password is required.');
    if (proof === 'wrong_password') throw invalidCredentials();
    if (proof === 'reauthenticate') {
      throw new AppError(ErrorCode.REAUTHENTICATION_REQUIRED, 'Sign in again (within the last 10 minutes) to do this.');
    }
    return account;
  }

  /** Bumps the credential generation and ends every session, recording why (see SessionService.revokeCredentials). */
  const revokeCredentials = (tx: EntityManager, userId: string, reason: CredentialEvent, client: ClientInfo) =>
    sessions.revokeCredentials(tx, { userId, sessionId: null, reason, client });

  const view = async (em: EntityManager, userId: string): Promise<UserView> => {
    const user = await userStore.findById(em.fork(), userId);
    if (!user) throw new Error(`user ${userId} vanished`);
    return user;
  };

  return {
    async requestEmailVerification({ em }, user) {
      mailer.requireEnabled();
      if (user.emailVerified) return;
      await transaction(em, (tx) => accountMail.sendVerification(tx, user));
      mailer.kick();
    },

    async verifyEmail({ em, log, client }, token) {
      const userId = await transaction(em, async (tx) => {
        const stored = await emailTokenStore.consume(tx, EmailTokenPurpose.VERIFY_EMAIL, token);
        const account = stored && (await accountStore.credentials(tx, { id: stored.userId }));
        if (!stored || !emailTokenUsable(stored, clock(), account)) return null;
        await accountStore.markVerified(tx, stored.userId, stored.email);
        await events.record(tx, { userId: stored.userId, type: SecurityEventType.EMAIL_VERIFIED, client });
        return stored.userId;
      });
      if (!userId) {
        log.info({ event: 'verify_email', outcome: 'invalid_token' }, 'email verification refused');
        throw invalidToken();
      }
      log.info({ event: 'verify_email', outcome: 'success', userId }, 'email verified');
      return view(em, userId);
    },

    requestPasswordReset({ client }, email, deviceToken) {
      // Answered at once for every address; the lookup and the mail happen after the response.
      mailer.requireEnabled();
      const address = canonicalEmail(email);
      if (emailProblem(address)) return;
      // An address the account had until an email change of the last 7 days reaches it too: the owner
      // whose address an intruder moved away asks where they still read mail.
      const accountAt = async (em: EntityManager) => {
        const current = await accountStore.credentials(em, { email: address });
        const formerOwner = current ? null : await emailTokenStore.formerOwnerOf(em, address, clock());
        return current ?? (formerOwner ? await accountStore.credentials(em, { id: formerOwner }) : null);
      };
      // The owner asking from a device or an address that signed in before is served whatever strangers spent.
      const ownerKnown = async (em: EntityManager) => {
        const account = await accountAt(em);
        if (!account) return false;
        if (deviceTokens.verify(deviceToken, account.id, account.generation)) return true;
        return client.ip !== null && (await accountStore.signedInFrom(em, account.id, client.ip));
      };
      const work = async (tx: EntityManager) => {
        const account = await accountAt(tx);
        if (!account) return 'no_account';
        const token = await emailTokenStore.issue(
          tx,
          {
            userId: account.id,
            purpose: EmailTokenPurpose.RESET_PASSWORD,
            email: account.email,
            generation: account.generation,
          },
          clock(),
        );
        await mailer.enqueue(
          tx,
          MailKind.RESET_PASSWORD,
          { userId: account.id, email: address },
          { link: mailer.link('resetPassword', token) },
        );
        return account.email === address ? 'mailed' : 'mailed_former_address';
      };
      accountMail.later('password reset', address, work, { ip: client.ip, ownerKnown });
    },

    async resetPassword({ em, log, client }, token, newPassword) {
      checkNewPassword('newPassword', newPassword);
      const passwordHash = await hasher.hash(newPassword);
      const userId = await transaction(em, async (tx) => {
        const stored = await emailTokenStore.consume(tx, EmailTokenPurpose.RESET_PASSWORD, token);
        const account = stored && (await accountStore.credentials(tx, { id: stored.userId }));
        if (!stored || !account || !emailTokenUsable(stored, clock(), account)) return null;
        // The link reached the mailbox: that proves the address, and whoever else held anything goes.
        await accountStore.setPassword(tx, account.id, passwordHash, true);
        await revokeCredentials(tx, account.id, 'password_reset', client);
        if (mailer.notifies('passwordChanged')) {
          await mailer.enqueue(
            tx,
            MailKind.PASSWORD_CHANGED,
            { userId: account.id, email: account.email },
            { client, at: clock() },
          );
        }
        return account.id;
      });
      if (!userId) {
        log.info({ event: 'reset_password', outcome: 'invalid_token' }, 'password reset refused');
        throw invalidToken();
      }
      mailer.kick();
      log.info({ event: 'reset_password', outcome: 'success', userId }, 'password reset; every session ended');
    },

    async changePassword(req, caller, current, next) {
      const { em, log, client } = req;
      checkNewPassword('newPassword', next);
      const account = await provenOwner(req, caller, current);
      const passwordHash = await hasher.hash(next);
      await transaction(em, async (tx) => {
        await accountStore.setPassword(tx, account.id, passwordHash, false);
        await revokeCredentials(tx, account.id, 'password_changed', client);
        if (mailer.notifies('passwordChanged')) {
          await mailer.enqueue(
            tx,
            MailKind.PASSWORD_CHANGED,
            { userId: account.id, email: account.email },
            { client, at: clock() },
          );
        }
      });
      mailer.kick();
      log.info(
        { event: 'change_password', outcome: 'success', userId: account.id, first: account.passwordHash === null },
        'password changed',
      );
      // The caller continues in a new session; every other one has ended.
      return auth.signIn(em, await view(em, account.id), client, SecurityEventType.LOGIN_SUCCEEDED);
    },

    async requestEmailChange(req, caller, newEmail, current) {
      const { log, client } = req;
      mailer.requireEnabled();
      const address = canonicalEmail(newEmail);
      const problem = emailProblem(address);
      if (problem) throw badInput('newEmail', problem);
      const account = await provenOwner(req, caller, current);
      if (address === account.email) throw badInput('newEmail', 'That is already your address.');
      log.info({ event: 'email_change', outcome: 'requested', userId: account.id }, 'email change requested');
      // Whether the address is taken is decided after the response: the answer is the same either way.
      accountMail.later(
        'email change',
        address,
        async (tx) => {
          if (await accountStore.emailTaken(tx, address)) return;
          const token = await emailTokenStore.issue(
            tx,
            {
              userId: account.id,
              purpose: EmailTokenPurpose.CHANGE_EMAIL,
              email: account.email,
              newEmail: address,
              generation: account.generation,
            },
            clock(),
          );
          await mailer.enqueue(
            tx,
            MailKind.CONFIRM_EMAIL_CHANGE,
            { userId: account.id, email: address },
            { link: mailer.link('changeEmail', token) },
          );
        },
        { ip: client.ip },
      );
    },

    async confirmEmailChange({ em, log, client }, token) {
      let result: { userId: string } | null;
      try {
        result = await transaction(em, async (tx) => {
          const stored = await emailTokenStore.consume(tx, EmailTokenPurpose.CHANGE_EMAIL, token);
          const account = stored && (await accountStore.credentials(tx, { id: stored.userId }));
          if (!stored?.newEmail || !account || !emailTokenUsable(stored, clock(), account)) return null;
          if (!(await accountStore.changeEmail(tx, account.id, stored.email, stored.newEmail))) return null;
          await revokeCredentials(tx, account.id, 'email_changed', client);
          // The old address gets a way back, whatever the notification settings: if the change was not
          // the owner's, this link is how they recover. It carries no generation (it must outlive this bump).
          const undo = await emailTokenStore.issue(
            tx,
            {
              userId: account.id,
              purpose: EmailTokenPurpose.REVERT_EMAIL_CHANGE,
              email: stored.email,
              newEmail: stored.newEmail,
              generation: 0,
            },
            clock(),
          );
          await mailer.enqueue(
            tx,
            MailKind.EMAIL_CHANGED,
            { userId: account.id, email: stored.email },
            {
              newEmail: stored.newEmail,
              link: mailer.link('revertEmailChange', undo),
            },
          );
          return { userId: account.id };
        });
      } catch (error) {
        if (sqlState(error) === UNIQUE_VIOLATION) throw conflict('email', 'That address now belongs to another account.');
        throw error;
      }
      if (!result) {
        log.info({ event: 'email_change', outcome: 'invalid_token' }, 'email change refused');
        throw invalidToken();
      }
      mailer.kick();
      log.info({ event: 'email_change', outcome: 'confirmed', userId: result.userId }, 'email changed; every session ended');
      return view(em, result.userId);
    },

    async revertEmailChange({ em, log, client }, token) {
      let userId: string | null;
      try {
        userId = await transaction(em, async (tx) => {
          const stored = await emailTokenStore.consume(tx, EmailTokenPurpose.REVERT_EMAIL_CHANGE, token);
          const account = stored && (await accountStore.credentials(tx, { id: stored.userId }));
          if (!stored || !account || !emailTokenUsable(stored, clock(), account)) return null;
          if (account.email !== stored.email) await accountStore.changeEmail(tx, account.id, account.email, stored.email);
          // Whoever made the change holds nothing from now on, and cannot undo the undo with another link.
          await revokeCredentials(tx, account.id, 'email_change_reverted', client);
          await emailTokenStore.forgetAll(tx, account.id, EmailTokenPurpose.REVERT_EMAIL_CHANGE);
          return account.id;
        });
      } catch (error) {
        if (sqlState(error) === UNIQUE_VIOLATION) throw conflict('email', 'That address now belongs to another account.');
        throw error;
      }
      if (!userId) {
        log.info({ event: 'email_change', outcome: 'revert_invalid_token' }, 'email change undo refused');
        throw invalidToken();
      }
      log.info({ event: 'email_change', outcome: 'reverted', userId }, 'email change undone; every session ended');
    },

    async deleteAccount(req, caller, current) {
      const { em, log, client } = req;
      const account = await provenOwner(req, caller, current);
      await transaction(em, async (tx) => {
        // Ended first, so every instance closes the account's live connections.
        await sessions.end(tx, { userId: account.id, sessionId: caller.sessionId, all: true, reason: 'account_deleted', client });
        // Mail waiting for the address goes too: nothing is sent to, or kept about, a deleted account.
        // (Its mail goes too, waiting or sent, to whichever address it had: nothing is sent to, or kept
        // about, a deleted account; the foreign key also takes mail a background task writes meanwhile.)
        await mailStore.forgetUser(tx, account.id);
        await accountStore.deleteUser(tx, account.id);
      });
      log.info({ event: 'delete_account', userId: account.id }, 'account deleted');
    },

    hasPassword: (em, userId) => userStore.hasPassword(em, userId),
  };
}
