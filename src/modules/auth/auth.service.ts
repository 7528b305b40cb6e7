import type { EntityManager } from '@mikro-orm/postgresql';
import type { Clock } from '../../clock.js';
import type { BackgroundTasks } from '../../background.js';
import { sqlState, transaction, UNIQUE_VIOLATION, violatedUniqueConstraint } from '../../db/sql.js';
import { conflict, emailNotVerified, invalidCredentials, rateLimited, unauthenticated } from '../../errors.js';
import type { Logger } from '../../logger.js';
import type { AccountMail } from '../account/account-mail.js';
import { addressKeys, type ClientInfo } from '../request/client-info.js';
import { SecurityEventType } from '../security-event/security-event.entity.js';
import type { SecurityEvents } from '../security-event/security-event.service.js';
import type { IssuedRefresh, OpenedSession, SessionService } from '../session/session.service.js';
import type { AccessTokenService } from '../token/access-token.service.js';
import { Tier } from '../user/tier.js';
import { type NewUser, userStore } from '../user/user.store.js';
import type { UserView } from '../user/user.view.js';
import { type AuthPayload, type LoginInput, type RegisterInput, RegistrationPending } from './auth.types.js';
import { canonicalEmail, canonicalUsername, checkRegistration, looksLikeEmail } from './credentials.rules.js';
import type { DeviceTokens } from './device-token.js';
import type { LoginThrottle } from './login-throttle.js';
import type { PasswordHasher, PasswordVerdict } from './password.hasher.js';

export interface AuthRequest {
  em: EntityManager;
  log: Logger;
  client: ClientInfo;
}

export interface AuthService {
  /** AuthPayload in SIGNUP_MODE=open; RegistrationPending for every valid sign-up in verify-first. */
  register(req: AuthRequest, input: RegisterInput): Promise<AuthPayload | RegistrationPending>;
  login(req: AuthRequest, input: LoginInput): Promise<AuthPayload>;
  /** Rotates a refresh token; UNAUTHENTICATED for unknown, expired, ended or replayed tokens. */
  refresh(req: AuthRequest, presented: string): Promise<AuthPayload>;
  /** Opens a session for a user another way has already authenticated (Google, GitHub). */
  signIn(em: EntityManager, user: UserView, client: ClientInfo, event: SecurityEventType): Promise<AuthPayload>;
}

const INVALID_REFRESH = 'The refresh token is invalid or has expired.';

const uniqueFields: Record<string, string> = {
  app_user_email_unique: 'email',
  app_user_username_unique: 'username',
};

export function createAuthService(deps: {
  hasher: PasswordHasher;
  isCommonPassword: (password: string) => boolean;
  sessions: SessionService;
  accessTokens: AccessTokenService;
  events: SecurityEvents;
  background: BackgroundTasks;
  throttle: LoginThrottle;
  deviceTokens: DeviceTokens;
  /** Keyed hash of a canonical identifier, for logs. */
  hashIdentifier: (canonical: string) => string;
  accountMail: Pick<AccountMail, 'sendVerification' | 'later' | 'noticeSignIn' | 'noticeSignUpAttempt' | 'kick'>;
  /** REQUIRE_VERIFIED_EMAIL (or verify-first sign-up): no session for an account until its address is verified. */
  requireVerifiedEmail: boolean;
  /** open: register signs in, and a taken address is a CONFLICT. verify-first: see registerPending. */
  signupMode: 'open' | 'verify-first';
  clock: Clock;
}): AuthService {
  const { hasher, isCommonPassword, sessions, accessTokens, events, background, throttle, accountMail, clock } = deps;
  const { deviceTokens, hashIdentifier, requireVerifiedEmail, signupMode } = deps;

  /**
   * Recorded after the response, so a refused or wrong attempt answers as fast as one at an unknown account
   * (started at once, its statement's CPU was spent before the answer: ~1 ms, 3-4 % of a failed login).
   */
  function recordLater(em: EntityManager, userId: string, type: SecurityEventType, client: ClientInfo) {
    background.afterResponse(`record ${type}`, () => events.record(em.fork(), { userId, type, client }));
  }

  /** A device token for the session's client, under the generation the session was opened with. */
  const newDeviceToken = (opened: OpenedSession) => deviceTokens.issue(opened.session.user.id, opened.generation);

  async function payload(issued: IssuedRefresh, deviceToken: string | null): Promise<AuthPayload> {
    const { user } = issued.session;
    const access = await accessTokens.issue({ userId: user.id, sessionId: issued.session.id, tier: user.tier });
    return {
      accessToken: access.token,
      accessTokenExpiresAt: access.expiresAt,
      refreshToken: issued.refreshToken,
      refreshTokenExpiresAt: issued.refreshTokenExpiresAt,
      deviceToken,
      user,
    };
  }

  /**
   * verify-first sign-up (OWASP ASVS 6.3.8): the answer, and the work done before it, are the same whether
   * or not the address has an account — the password is hashed and one insert statement runs either way;
   * which mail follows (a link for a new account, a notice to an existing one's owner, both limited per
   * address) is decided after the response. Nobody is signed in until the link is followed.
   */
  async function registerPending({ em, log, client }: AuthRequest, newUser: NewUser): Promise<RegistrationPending> {
    // Checked before the insert, so a taken username answers CONFLICT whether or not the email is taken too:
    // the answer never depends on the address. (Usernames are public handles; addresses are not.)
    if (newUser.username && (await userStore.usernameTaken(em, newUser.username))) {
      log.info({ event: 'register', outcome: 'conflict', field: 'username' }, 'register conflict');
      throw conflict('username', 'That username is already registered.');
    }
    let user: UserView | null;
    try {
      user = await userStore.insertIfNewEmail(em, newUser);
    } catch (error) {
      // A username taken since the check above: the address was new, or the insert would not have tried.
      if (sqlState(error) === UNIQUE_VIOLATION) throw conflict('username', 'That username is already registered.');
      throw error;
    }
    if (user) {
      const created = user;
      recordLater(em, created.id, SecurityEventType.REGISTERED, client);
      accountMail.later('verification at sign-up', newUser.email, (tx) => accountMail.sendVerification(tx, created));
    } else {
      accountMail.later('sign-up attempt notice', newUser.email, (tx) => accountMail.noticeSignUpAttempt(tx, newUser.email));
    }
    // One log line for both: the log must not become the oracle the response is not.
    log.info({ event: 'register', outcome: 'pending', ...(user ? { userId: user.id } : {}) }, 'registration pending');
    return Object.assign(new RegistrationPending(), { email: newUser.email });
  }

  return {
    async register(req, input) {
      const { em, log, client } = req;
      let fields: ReturnType<typeof checkRegistration>;
      try {
        fields = checkRegistration(input, isCommonPassword);
      } catch (error) {
        log.info({ event: 'register', outcome: 'rejected', field: fieldOf(error) }, 'register rejected');
        throw error;
      }
      const newUser: NewUser = {
        email: fields.email,
        username: fields.username,
        passwordHash: await hasher.hash(fields.password),
        emailVerified: false,
        tier: Tier.FREE,
        createdAt: clock(),
      };
      if (signupMode === 'verify-first') return registerPending(req, newUser);
      try {
        // The user, its session, refresh token and event are written in one transaction: all or none.
        const opened = await transaction(em, async (tx) => {
          const user = await userStore.insert(tx, newUser);
          await accountMail.sendVerification(tx, user);
          // With REQUIRE_VERIFIED_EMAIL the first session waits until the address is proven.
          return requireVerifiedEmail ? null : sessions.open(tx, { user, client, event: SecurityEventType.REGISTERED });
        });
        accountMail.kick();
        if (!opened) {
          log.info({ event: 'register', outcome: 'awaiting_verification' }, 'registered');
          throw emailNotVerified();
        }
        const result = await payload(opened, newDeviceToken(opened));
        log.info({ event: 'register', outcome: 'success', userId: opened.session.user.id }, 'registered');
        return result;
      } catch (error) {
        if (sqlState(error) === UNIQUE_VIOLATION) {
          const field = uniqueFields[violatedUniqueConstraint(error)] ?? 'email';
          log.info({ event: 'register', outcome: 'conflict', field }, 'register conflict');
          throw conflict(field, `That ${field} is already registered.`);
        }
        throw error;
      }
    },

    async login({ em, log, client }, input) {
      const identifier = input.identifier;
      const byEmail = looksLikeEmail(identifier);
      const canonical = (byEmail ? canonicalEmail(identifier) : canonicalUsername(identifier)).slice(0, 256);
      const found =
        identifier.length <= 254
          ? await userStore.findWithPassword(em, byEmail ? { email: canonical } : { username: canonical })
          : null;
      const userId = found?.user.id ?? null;
      const presentedDevice = found ? deviceTokens.verify(input.deviceToken, found.user.id, found.generation) : null;
      // Who and from where, for the logs of a refused attempt: the identifier only as a keyed hash, never in
      // clear. Made only when one is written: a successful sign-in logs its user, not this.
      const seen = () => ({ ip: client.ip, idHash: hashIdentifier(canonical), ...(userId ? { userId } : {}) });
      // Spent before any password work, alike whether or not the account exists: one budget per account
      // whatever the spelling, and an unknown identifier counted under its canonical form.
      const admission = await throttle.admit({
        account: userId ? `user:${userId}` : `name:${canonical}`,
        spelling: `name:${canonical}`,
        addresses: addressKeys(client.ip ?? ''),
        device: presentedDevice,
      });
      if (!admission.admitted) {
        const { refusal } = admission;
        log.warn(
          { event: 'login', outcome: 'throttled', budget: refusal.budget, retryAfter: refusal.retryAfter, ...seen() },
          'login refused: too many failed attempts',
        );
        if (userId && refusal.first) recordLater(em, userId, SecurityEventType.LOGIN_THROTTLED, client);
        throw rateLimited('Too many failed sign-in attempts', refusal);
      }
      if (!found) {
        // Same work as a wrong password, so response time does not reveal which accounts exist.
        await hasher.verifyDummy(input.password);
        log.warn({ event: 'login', outcome: 'unknown_account', by: byEmail ? 'email' : 'username', ...seen() }, 'login failed');
        throw invalidCredentials();
      }
      // An account made through Google or GitHub has no password: it fails like a wrong one, after the same work.
      const { user, passwordHash } = found;
      let verdict: PasswordVerdict = 'mismatch';
      if (passwordHash === null) await hasher.verifyDummy(input.password);
      else verdict = await hasher.verify(passwordHash, input.password);
      if (verdict === 'mismatch') {
        log.warn({ event: 'login', outcome: 'wrong_password', ...seen() }, 'login failed');
        recordLater(em, user.id, SecurityEventType.LOGIN_FAILED, client);
        throw invalidCredentials();
      }
      await admission.succeeded();
      // Only someone who knows the password learns that the address is unverified.
      if (requireVerifiedEmail && !user.emailVerified) {
        log.info({ event: 'login', outcome: 'email_not_verified', userId: user.id }, 'login refused');
        // They cannot ask for a new link without a session, so proving the password sends one (limited per address).
        accountMail.later('verification on login', user.email, (tx) => accountMail.sendVerification(tx, user), {
          ip: client.ip,
        });
        throw emailNotVerified();
      }
      const rehashedPassword = verdict === 'stale' ? await hasher.hash(input.password) : null;
      if (rehashedPassword)
        log.info({ event: 'password_rehashed', userId: user.id }, 'password rehashed with current parameters');
      const at = clock();
      const signedIn = (verifiedHash: string) => ({
        user: { ...user, lastLoginAt: at },
        client,
        event: SecurityEventType.LOGIN_SUCCEEDED,
        signedIn: { at, verifiedHash },
      });
      // The sign-in time, any rehash, its event and the new session commit together or not at all: one
      // statement records the time with the session; a rehash (rare) needs a transaction around them. Both
      // write only while the stored hash is the one just checked: a password changed or reset meanwhile
      // (perhaps because someone else knows the old one) is not undone, and the old one opens no session.
      const opened = rehashedPassword
        ? await transaction(em, async (tx) => {
            const recorded = await userStore.recordLogin(tx, {
              userId: user.id,
              at,
              verifiedHash: passwordHash as string,
              rehashedPassword,
            });
            if (!recorded) throw invalidCredentials();
            await events.record(tx, { userId: user.id, type: SecurityEventType.PASSWORD_REHASHED, client });
            return sessions.open(tx, signedIn(rehashedPassword));
          })
        : await sessions.open(em, signedIn(passwordHash as string));
      // A device that proved itself keeps its token (and its budget); any other gets one now.
      const keepsToken = presentedDevice !== null && opened.generation === found.generation;
      const result = await payload(opened, keepsToken ? (input.deviceToken as string) : newDeviceToken(opened));
      accountMail.noticeSignIn(user.id, opened.session.id, client, opened.prior && { email: user.email, ...opened.prior });
      log.info({ event: 'login', outcome: 'success', userId: user.id }, 'logged in');
      return result;
    },

    async signIn(em, user, client, event) {
      const opened = await sessions.open(em, { user, client, event });
      if (event === SecurityEventType.OAUTH_LOGIN) accountMail.noticeSignIn(user.id, opened.session.id, client);
      return payload(opened, newDeviceToken(opened));
    },

    async refresh({ em, log, client }, presented) {
      const outcome = await sessions.refresh(em, presented, client);
      switch (outcome.kind) {
        case 'rotated':
        case 'grace':
          log.info({ event: 'refresh', outcome: outcome.kind, sessionId: outcome.session.id }, 'refreshed');
          return payload(outcome, null);
        case 'reused':
          log.warn(
            { event: 'refresh', outcome: 'reused', sessionId: outcome.session.id },
            'refresh token reused: session revoked',
          );
          throw unauthenticated(INVALID_REFRESH);
        case 'invalid':
          log.info({ event: 'refresh', outcome: 'invalid' }, 'refresh refused');
          throw unauthenticated(INVALID_REFRESH);
      }
    },
  };
}

function fieldOf(error: unknown): unknown {
  return (error as { extensions?: { field?: unknown } }).extensions?.field;
}
