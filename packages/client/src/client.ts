import { DeviceTokens } from './device-tokens.js';
import { hasCode, TollgateError } from './errors.js';
import {
  TollgateRenewDocument,
  TollgateSignInDocument,
  TollgateSignOutDocument,
  TollgateSignUpDocument,
  type LoginInput,
  type RegisterInput,
} from './operations/graphql.js';
import { browserStorage, type ChannelLike, type Fetch, type LockManagerLike, type StorageLike, type Timers } from './platform.js';
import { readSignIn, type SignInPayload, type SignInResult, type SignUpResult } from './sign-in.js';
import { TokenManager } from './token-manager.js';
import { cookieModeTransport, dataOf, type DocumentText, type GraphQLAnswer } from './transport.js';

export interface TollgateOptions {
  /** Tollgate's GraphQL endpoint, e.g. `/graphql` (same origin) or `https://id.example.com/graphql`. */
  url: string;
  fetch?: Fetch;
  /** Where device tokens are kept; defaults to `localStorage`. */
  storage?: StorageLike | null;
  /** Names the Web Lock and the BroadcastChannel the tabs share. */
  name?: string;
  locks?: LockManagerLike | null;
  channel?: ChannelLike | null;
  now?: () => number;
  timers?: Timers;
}

export interface Tollgate {
  readonly url: string;
  readonly tokens: TokenManager;
  readonly deviceTokens: DeviceTokens;
  /** On page load: signs this tab in if the refresh cookie belongs to a live session. */
  start(): Promise<void>;
  /** Signs in by email or username, sending (and then keeping) this browser's device token for the account. */
  login(input: Omit<LoginInput, 'deviceToken'>): Promise<SignInResult>;
  /**
   * Creates the account. On a server in SIGNUP_MODE=verify-first the answer is `verification-pending` for
   * every address, new or taken (the mailbox's owner gets a link or a notice), and nobody is signed in.
   */
  register(input: RegisterInput): Promise<SignUpResult>;
  /**
   * Ends this session (or every session of the account), then every tab signs out. When Tollgate cannot
   * be reached or refuses, it rejects and the session (and this tab) stay signed in.
   */
  logout(options?: { allSessions?: boolean }): Promise<void>;
  /** Adopts the tokens of a sign-in the app ran itself (completeOAuth, changePassword inside `tokens.replace`). */
  signedInWith(payload: SignInPayload): void;
  /**
   * Sends an operation with the access token, renewing first when it is due and once more (then retrying
   * once) when Tollgate answers UNAUTHENTICATED. For apps without Apollo; Apollo apps use the link.
   */
  request<R, V>(document: DocumentText<R, V>, variables?: V): Promise<GraphQLAnswer<R>>;
  dispose(): void;
}

/** The client for one Tollgate endpoint in cookie mode: tokens, device tokens and the sign-in helpers. */
export function createTollgate(options: TollgateOptions): Tollgate {
  const send = cookieModeTransport(options.url, options.fetch);
  const deviceTokens = new DeviceTokens(options.storage === undefined ? browserStorage() : options.storage);
  const tokens = new TokenManager({
    name: options.name,
    locks: options.locks,
    channel: options.channel,
    now: options.now,
    timers: options.timers,
    // The new access token, or null when there is no session to renew; anything else (rate limit, outage) rejects.
    renew: async () => {
      const answer = await send(TollgateRenewDocument, {}, null);
      if (answer.data?.refresh) return answer.data.refresh.accessToken;
      if (hasCode(answer.errors, 'UNAUTHENTICATED')) return null;
      return dataOf(answer).refresh.accessToken;
    },
  });

  const signedInWith = (payload: SignInPayload) => {
    deviceTokens.keep(payload.deviceToken, payload.user);
    tokens.signedIn(payload.accessToken);
  };

  return {
    url: options.url,
    tokens,
    deviceTokens,
    start: () => tokens.start(),
    async login(input) {
      const variables = { input: { ...input, deviceToken: deviceTokens.for(input.identifier) } };
      const result = readSignIn(dataOf(await send(TollgateSignInDocument, variables, null)).login);
      signedInWith(result.payload);
      return { status: result.status, user: result.payload.user };
    },
    async register(input) {
      const answer = dataOf(await send(TollgateSignUpDocument, { input }, null)).register;
      if (answer.__typename === 'RegistrationPending') return { status: 'verification-pending', email: answer.email };
      signedInWith(answer);
      return { status: 'signed-in', user: answer.user };
    },
    async logout({ allSessions = false } = {}) {
      const token = await tokens.accessToken();
      if (token) {
        const answer = await send(TollgateSignOutDocument, { allSessions }, token);
        // Already ended on the server is as good as ending it now; any other refusal leaves the session
        // alive, so this browser stays signed in rather than pretend (the error says why).
        if (!hasCode(answer.errors, 'UNAUTHENTICATED')) dataOf(answer);
      }
      tokens.signedOut();
    },
    signedInWith,
    async request(document, variables) {
      const token = await tokens.accessToken();
      const answer = await send(document, variables as never, token);
      if (!token || !hasCode(answer.errors, 'UNAUTHENTICATED')) return answer;
      // Refused although renewed on time (the session ended, the tier changed): renew once and retry once.
      const fresh = await tokens.renew(token);
      return fresh ? send(document, variables as never, fresh) : answer;
    },
    dispose: () => tokens.dispose(),
  };
}

export { TollgateError };
