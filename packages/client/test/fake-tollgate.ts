import type { Fetch } from '../src/index.js';
import { accessToken } from './fakes.js';

interface Call {
  operationName: string;
  variables: Record<string, unknown>;
  headers: Record<string, string>;
  credentials: RequestInit['credentials'];
}

type Answer = { status?: number; body: unknown; headers?: Record<string, string> };

/**
 * Tollgate's answers to the operations the core sends, over a fake fetch: each call is recorded, and a
 * test can queue the next answer to an operation (an error, a 429) before making it.
 */
export function fakeTollgate(now: () => number = Date.now) {
  const calls: Call[] = [];
  const queued = new Map<string, Answer[]>();
  let sessionUser: string | null = null;
  let issued = 0;
  const user = { id: 'user-1', email: 'ada@example.com', emailVerified: false, username: 'ada', tier: 'FREE' };
  const mint = () => {
    issued++;
    return accessToken(user.id, Math.floor(now() / 1000));
  };

  const answer = (operationName: string, variables: Record<string, unknown>, bearer: string | undefined): Answer => {
    const next = queued.get(operationName)?.shift();
    if (next) return next;
    switch (operationName) {
      case 'TollgateSignIn':
      case 'TollgateSignUp': {
        sessionUser = user.id;
        const payload = { __typename: 'AuthPayload', accessToken: mint(), deviceToken: `device-${issued}`, user };
        return { body: { data: { [operationName === 'TollgateSignIn' ? 'login' : 'register']: payload } } };
      }
      case 'TollgateRenew':
        return sessionUser
          ? { body: { data: { refresh: { accessToken: mint() } } } }
          : { body: { errors: [{ message: 'no session', extensions: { code: 'UNAUTHENTICATED' } }], data: null } };
      case 'TollgateSignOut':
        sessionUser = null;
        return { body: { data: { logout: true } } };
      default:
        return bearer
          ? { body: { data: { me: { id: user.id, variables } } } }
          : { body: { errors: [{ message: 'sign in', extensions: { code: 'UNAUTHENTICATED' } }], data: null } };
    }
  };

  const fetch: Fetch = async (_url, init) => {
    const { query, variables } = JSON.parse(String(init.body)) as { query: string; variables: Record<string, unknown> };
    const operationName = /(?:query|mutation)\s+(\w+)/.exec(query)?.[1] ?? 'anonymous';
    const headers = init.headers as Record<string, string>;
    calls.push({ operationName, variables, headers, credentials: init.credentials });
    const { status = 200, body, headers: extra = {} } = answer(operationName, variables, headers.authorization);
    const text = typeof body === 'string' ? body : JSON.stringify(body);
    return new Response(text, { status, headers: { 'content-type': 'application/json', ...extra } });
  };

  return {
    fetch,
    calls,
    user,
    /** The next answer to `operationName`, instead of the usual one. */
    queue(operationName: string, answer: Answer) {
      queued.set(operationName, [...(queued.get(operationName) ?? []), answer]);
    },
    endSession: () => {
      sessionUser = null;
    },
    callsTo: (operationName: string) => calls.filter((c) => c.operationName === operationName),
  };
}

export const graphqlError = (code: string, extensions: Record<string, unknown> = {}) => ({
  errors: [{ message: code, extensions: { code, ...extensions } }],
  data: null,
});
