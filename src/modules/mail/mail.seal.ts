import { hkdfSync, randomBytes } from 'node:crypto';
import { CompactEncrypt, compactDecrypt } from 'jose';
import { randomText } from '../../random.js';

/**
 * Outbox bodies at rest. A mail may carry a live link (verify, reset, email change), and during an SMTP
 * outage the outbox row is that link's whole life: whoever reads the database (a replica, a backup, a
 * support copy) would hold it. So the recipient, subject and bodies are sealed together as a compact JWE
 * (`dir` + A256GCM, jose) under the first configured key; its `kid` says which key opens it, so keys rotate
 * by putting a new one first and dropping the old one once no pending mail uses it. The row id travels in
 * the protected header, so a sealed body copied into another row is refused.
 *
 * Why sealing rather than composing at send time: the link's token is stored only as a hash, so a mail
 * composed later would need the token kept somewhere readable — which is the problem itself.
 */
export interface SealedContent {
  to: string;
  subject: string;
  text: string;
  html: string;
}

export interface OutboxKey {
  kid: string;
  /** 32 bytes. */
  key: Uint8Array;
}

export interface OutboxSeal {
  seal(mailId: string, content: SealedContent): Promise<string>;
  /** The content, or null when no configured key opens it (an unknown kid, tampering, another row's body). */
  open(mailId: string, sealed: string): Promise<SealedContent | null>;
}

const ENC = 'A256GCM';

export function createOutboxSeal(keys: readonly OutboxKey[]): OutboxSeal {
  const [current] = keys;
  if (!current) throw new Error('the outbox needs at least one key');
  const byKid = new Map(keys.map((k) => [k.kid, k.key]));
  const encoder = new TextEncoder();
  const decoder = new TextDecoder();
  return {
    seal: (mailId, content) =>
      new CompactEncrypt(encoder.encode(JSON.stringify(content)))
        .setProtectedHeader({ alg: 'dir', enc: ENC, kid: current.kid, mid: mailId })
        .encrypt(current.key),
    async open(mailId, sealed) {
      try {
        const { plaintext, protectedHeader } = await compactDecrypt(
          sealed,
          (header) => {
            const key = header.kid ? byKid.get(header.kid) : undefined;
            if (!key) throw new Error('unknown outbox key');
            return key;
          },
          { keyManagementAlgorithms: ['dir'], contentEncryptionAlgorithms: [ENC] },
        );
        if (protectedHeader.mid !== mailId) return null;
        return JSON.parse(decoder.decode(plaintext)) as SealedContent;
      } catch {
        return null;
      }
    },
  };
}

/**
 * The keys to seal with: OUTBOX_KEYS when set (production requires it). Otherwise, for development and
 * tests, one derived from AUTH_HMAC_KEY (so instances sharing that key share the outbox), or, without
 * that either, a key of this process only: mail left pending by it cannot be sent after a restart.
 */
export function outboxKeys(
  configured: readonly { kid: string; key: string }[] | null,
  hmacKey: string | null,
): { keys: OutboxKey[]; origin: 'configured' | 'derived' | 'ephemeral' } {
  if (configured) {
    return { keys: configured.map((k) => ({ kid: k.kid, key: Buffer.from(k.key, 'base64url') })), origin: 'configured' };
  }
  if (hmacKey) {
    const key = new Uint8Array(hkdfSync('sha256', Buffer.from(hmacKey, 'base64url'), '', 'tollgate outbox seal', 32));
    return { keys: [{ kid: 'derived', key }], origin: 'derived' };
  }
  return { keys: [{ kid: `ephemeral-${randomText(6, 'hex')}`, key: randomBytes(32) }], origin: 'ephemeral' };
}
