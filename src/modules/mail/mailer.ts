import { randomUUID } from 'node:crypto';
import type { EntityManager } from '@mikro-orm/postgresql';
import type { Clock } from '../../clock.js';
import type { Config } from '../../config.js';
import { AppError, ErrorCode } from '../../errors.js';
import { linkFor } from './mail.rules.js';
import type { OutboxSeal } from './mail.seal.js';
import type { MailSender } from './mail.sender.js';
import { mailStore } from './mail.store.js';
import { composeMail, MailKind, type MailData } from './mail.templates.js';

export { MailKind };

/** What features use to send mail: written into the outbox inside their transaction, sent after commit. */
export interface Mailer {
  readonly enabled: boolean;
  /** MAIL_DISABLED when mail is turned off: for the operations that cannot work without it. */
  requireEnabled(): void;
  /** The link for a token, from the configured template for its purpose. */
  link(purpose: keyof Config['mail']['links'], token: string): string;
  /**
   * Writes one mail, sealed, into the outbox in `em`'s transaction; nothing when mail is off. The row names
   * the account (`userId`), so deleting it deletes the mail; the address is only inside the seal.
   */
  enqueue(em: EntityManager, kind: MailKind, to: { userId: string; email: string }, data?: MailData): Promise<void>;
  /** Whether a security notification of this kind is switched on (and mail with it). */
  notifies(kind: 'passwordChanged' | 'emailChanged' | 'newSignIn'): boolean;
  /** Call after the transaction that enqueued has committed. */
  kick(): void;
}

export function createMailer(config: Config['mail'], sender: MailSender | null, seal: OutboxSeal | null, clock: Clock): Mailer {
  const enabled = config.enabled && sender !== null;
  return {
    enabled,
    requireEnabled() {
      if (!enabled) throw new AppError(ErrorCode.MAIL_DISABLED, 'This server does not send mail, so this is not available.');
    },
    link: (purpose, token) => linkFor(config.links[purpose], token),
    async enqueue(em, kind, to, data = {}) {
      if (!enabled || !seal) return;
      const id = randomUUID();
      const sealed = await seal.seal(id, { to: to.email, ...composeMail(kind, data) });
      await mailStore.enqueue(em, { id, kind, userId: to.userId, sealed }, clock());
    },
    notifies: (kind) => enabled && config.notify[kind],
    kick: () => sender?.kick(),
  };
}
