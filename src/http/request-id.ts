import { randomUUID } from 'node:crypto';

const SANE = /^[A-Za-z0-9._:-]{8,128}$/;

/** Keeps a caller's `x-request-id` when it is a plain token (it ends up in logs), else makes one. */
export function pickRequestId(incoming: string | string[] | undefined): string {
  return typeof incoming === 'string' && SANE.test(incoming) ? incoming : randomUUID();
}
