import nodemailer from 'nodemailer';
import type { Logger } from '../../logger.js';
import type { MailKind } from './mail.templates.js';

export interface OutgoingMail {
  id: string;
  kind: MailKind;
  to: string;
  subject: string;
  text: string;
  html: string;
}

export interface MailTransport {
  send(mail: OutgoingMail): Promise<void>;
  /** Whether the server answers (connects and greets), without sending anything. */
  verify(): Promise<void>;
  close(): void;
}

/** SMTP through nodemailer, with timeouts so a hung server reads as a failure rather than a stuck sender. */
export function smtpTransport(url: string, from: string): MailTransport {
  const u = new URL(url);
  const transporter = nodemailer.createTransport({
    host: u.hostname,
    port: u.port ? Number(u.port) : u.protocol === 'smtps:' ? 465 : 587,
    secure: u.protocol === 'smtps:',
    ...(u.username ? { auth: { user: decodeURIComponent(u.username), pass: decodeURIComponent(u.password) } } : {}),
    connectionTimeout: 10_000,
    greetingTimeout: 10_000,
    socketTimeout: 30_000,
  });
  return {
    async send(mail) {
      // The outbox id as Message-ID: a mail retried after a lost answer is recognisable as the same one.
      const domain = /@([^>]+)>?$/.exec(from)?.[1] ?? 'tollgate.invalid';
      await transporter.sendMail({
        from,
        to: mail.to,
        subject: mail.subject,
        text: mail.text,
        html: mail.html,
        messageId: `<${mail.id}@${domain}>`,
      });
    },
    async verify() {
      await transporter.verify();
    },
    close: () => transporter.close(),
  };
}

export interface LoggedMail {
  at: Date;
  to: string;
  kind: MailKind;
  subject: string;
  text: string;
}

/**
 * Without SMTP_URL outside production: each mail goes to the log and to a short in-memory list for the
 * dev mail page. The body (with its link and token) is logged only in development.
 */
export function logTransport(
  log: Logger,
  options: { logBody: boolean; keep: number; clock: () => Date },
): MailTransport & { recent(): LoggedMail[] } {
  const recent: LoggedMail[] = [];
  return {
    async send(mail) {
      recent.unshift({ at: options.clock(), to: mail.to, kind: mail.kind, subject: mail.subject, text: mail.text });
      recent.length = Math.min(recent.length, options.keep);
      // The address and the body (link and token) only in development: logs elsewhere name no person.
      log.info(
        { event: 'mail', transport: 'log', kind: mail.kind, ...(options.logBody ? { to: mail.to, body: mail.text } : {}) },
        `mail: ${mail.subject}`,
      );
    },
    verify: async () => undefined,
    close: () => undefined,
    recent: () => [...recent],
  };
}
