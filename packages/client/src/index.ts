/**
 * @tollgate/client, framework-agnostic core: no dependency at run time. Apollo Client's link is in
 * `@tollgate/client/apollo`, the React hooks in `@tollgate/client/react`, the typed documents of every
 * operation Tollgate ships in `@tollgate/client/documents`.
 */
export { createTollgate, type Tollgate, type TollgateOptions } from './client.js';
export { DeviceTokens } from './device-tokens.js';
export { type ErrorInfo, errorInfo, hasCode, TollgateError } from './errors.js';
export { type HeldToken, holdToken } from './held-token.js';
export type { ChannelLike, Fetch, LockManagerLike, StorageLike, Timers } from './platform.js';
export { type Budget, budgetOf, formatWait } from './rate-limit.js';
export { readSignIn, type SignedInUser, type SignInPayload, type SignInResult, type SignUpResult } from './sign-in.js';
export { socketAuth, whileSignedIn } from './socket.js';
export { type AuthState, TokenManager, type TokenManagerOptions } from './token-manager.js';
export { cookieModeTransport, type DocumentText, type GraphQLAnswer } from './transport.js';
