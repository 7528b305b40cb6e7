import { EventEmitter } from 'node:events';
import type { AddressInfo } from 'node:net';
import { simpleParser } from 'mailparser';
import { SMTPServer } from 'smtp-server';

export interface ReceivedMail {
  to: string;
  subject: string;
  text: string;
  html: string;
  messageId: string;
}

/**
 * A real SMTP server in the test process (smtp-server), reading what arrives with mailparser.
 * `down()` closes it so connections are refused; `up()` listens again on the same port.
 */
export async function startSmtpServer() {
  const received: ReceivedMail[] = [];
  const events = new EventEmitter();
  let port = 0;
  let server: SMTPServer;

  const listen = async () => {
    server = new SMTPServer({
      authOptional: true,
      disabledCommands: ['STARTTLS', 'AUTH'],
      logger: false,
      onData(stream, _session, callback) {
        simpleParser(stream).then(
          (parsed) => {
            const to = Array.isArray(parsed.to) ? parsed.to[0] : parsed.to;
            received.push({
              to: to?.value[0]?.address ?? '',
              subject: parsed.subject ?? '',
              text: parsed.text ?? '',
              html: typeof parsed.html === 'string' ? parsed.html : '',
              messageId: parsed.messageId ?? '',
            });
            callback();
            events.emit('mail');
          },
          (err: Error) => callback(err),
        );
      },
    });
    await new Promise<void>((resolve) => server.listen(port, '127.0.0.1', () => resolve()));
    port = (server.server.address() as AddressInfo).port;
  };
  await listen();

  /** Resolves with the mail matching `match` once it has arrived (now or later). */
  const waitFor = (match: (m: ReceivedMail) => boolean, timeoutMs = 10_000) =>
    new Promise<ReceivedMail>((resolve, reject) => {
      const check = () => {
        const found = received.find(match);
        if (!found) return false;
        clearTimeout(timer);
        events.off('mail', check);
        resolve(found);
        return true;
      };
      const timer = setTimeout(() => {
        events.off('mail', check);
        reject(
          new Error(`no matching mail within ${timeoutMs} ms; got ${received.map((m) => `${m.to}: ${m.subject}`).join(', ')}`),
        );
      }, timeoutMs);
      if (!check()) events.on('mail', check);
    });

  return {
    received,
    get url() {
      return `smtp://127.0.0.1:${port}`;
    },
    waitFor,
    /** All mail to one address, in arrival order. */
    to: (address: string) => received.filter((m) => m.to === address),
    down: () => new Promise<void>((resolve) => server.close(() => resolve())),
    up: listen,
    stop: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}

/** The token in a mail's link (the templates put it after `token=`). */
export function tokenIn(mail: { text: string }): string {
  const match = /[?&]token=([A-Za-z0-9_%-]+)/.exec(mail.text);
  if (!match?.[1]) throw new Error(`no token in: ${mail.text}`);
  return decodeURIComponent(match[1]);
}
