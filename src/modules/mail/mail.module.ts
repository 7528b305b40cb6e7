import type { EntityManager } from '@mikro-orm/postgresql';
import type { Clock } from '../../clock.js';
import type { Config } from '../../config.js';
import type { Logger } from '../../logger.js';
import { createOutboxSeal, outboxKeys } from './mail.seal.js';
import { startMailSender, type MailSender } from './mail.sender.js';
import { logTransport, smtpTransport, type LoggedMail, type MailTransport } from './mail.transport.js';
import { createMailer, type Mailer } from './mailer.js';

export interface MailModule {
  mailer: Mailer;
  sender: MailSender | null;
  /** The latest mail, when it goes to the log instead of a server (development's dev mail page). */
  recent: (() => LoggedMail[]) | null;
}

/** Mail as configured: SMTP, the log (no SMTP_URL outside production), or off. */
export function createMail(
  config: Config['mail'],
  deps: {
    env: Config['env'];
    fork: () => EntityManager;
    clock: Clock;
    logger: Logger;
    hmacKey: string | null;
    observe?: { sent(): void; dead(): void } | undefined;
    /** Wraps the transport (a span per send when tracing). */
    wrapTransport?: ((transport: MailTransport) => MailTransport) | undefined;
  },
): MailModule {
  const { env, fork, clock, logger, observe, wrapTransport = (t) => t } = deps;
  if (!config.enabled) {
    logger.warn('MAIL_ENABLED=false: no mail is sent; verification, reset and email change answer MAIL_DISABLED');
    return { mailer: createMailer(config, null, null, clock), sender: null, recent: null };
  }
  const { keys, origin } = outboxKeys(config.outboxKeys, deps.hmacKey);
  if (origin === 'ephemeral') {
    logger.warn('OUTBOX_KEYS and AUTH_HMAC_KEY are not set: outbox mail is sealed with a key of this process only');
  }
  const seal = createOutboxSeal(keys);
  const log = logger.child({ module: 'mail' });
  let recent: MailModule['recent'] = null;
  let transport: MailTransport;
  if (config.smtpUrl) {
    transport = smtpTransport(config.smtpUrl, config.from);
  } else {
    // config.ts refuses this in production; the body (with its token) reaches the log only in development.
    const logged = logTransport(log, { logBody: env === 'development', keep: 50, clock });
    logger.info('SMTP_URL is not set: mail goes to the log and to GET /dev/mail (development)');
    recent = logged.recent;
    transport = logged;
  }
  const sender = startMailSender({
    fork,
    transport: wrapTransport(transport),
    seal,
    observe,
    clock,
    log,
    maxAttempts: config.maxAttempts,
    retryBaseSeconds: config.retryBaseSeconds,
    pollIntervalMs: config.pollIntervalMs,
    breaker: config.breaker,
  });
  return { mailer: createMailer(config, sender, seal, clock), sender, recent };
}
