import { randomBytes } from 'node:crypto';
import type { AddressInfo } from 'node:net';
import { SMTPServer } from 'smtp-server';

/**
 * A real SMTP server in the bench process that accepts and discards every mail, so the service runs with
 * mail on, as production must (it refuses to start without SMTP), and the outbox's work is in its CPU.
 * One per process, started on first use; it does not keep the process alive.
 */
let sink: Promise<{ url: string; delivered: () => number }> | undefined;

export function mailSink() {
  sink ??= new Promise((resolve) => {
    let delivered = 0;
    const server = new SMTPServer({
      authOptional: true,
      disabledCommands: ['STARTTLS', 'AUTH'],
      logger: false,
      onData(stream, _session, callback) {
        stream.on('end', () => {
          delivered++;
          callback();
        });
        stream.resume();
      },
    });
    server.listen(0, '127.0.0.1', () => {
      server.server.unref();
      const { port } = server.server.address() as AddressInfo;
      resolve({ url: `smtp://127.0.0.1:${port}`, delivered: () => delivered });
    });
  });
  return sink;
}

/** The settings production requires for mail, pointed at the sink. */
export async function mailEnv(): Promise<Record<string, string>> {
  const { url } = await mailSink();
  return {
    SMTP_URL: url,
    MAIL_FROM: 'Tollgate <no-reply@bench.test>',
    EMAIL_VERIFY_URL: 'https://app.bench.test/verify-email?token={token}',
    PASSWORD_RESET_URL: 'https://app.bench.test/reset-password?token={token}',
    EMAIL_CHANGE_URL: 'https://app.bench.test/confirm-email-change?token={token}',
    EMAIL_CHANGE_REVERT_URL: 'https://app.bench.test/revert-email-change?token={token}',
    OUTBOX_KEYS: `bench:${randomBytes(32).toString('base64url')}`,
    // The bench signs its accounts in straight after sign-up; production's default (verify-first) would not.
    SIGNUP_MODE: 'open',
  };
}
