import { randomUUID } from 'node:crypto';
import type { IncomingMessage, Server } from 'node:http';
import {
  type DocumentNode,
  type FragmentDefinitionNode,
  GraphQLError,
  type GraphQLFormattedError,
  type GraphQLSchema,
  Kind,
  type OperationDefinitionNode,
  type SelectionSetNode,
} from 'graphql';
import type { SubscribePayload } from 'graphql-ws';
import { RateLimiterRes } from 'rate-limiter-flexible';
import type { WebSocket } from 'ws';
import type { Config } from '../config.js';
import type { RequestContext } from '../modules/request/request-context.js';
import { AppError, ErrorCode, rateLimited, unauthenticated } from '../errors.js';
import { type Admission, reportUnexpected } from '../graphql/admission.js';
import type { Logger } from '../logger.js';
import type { ChangeBus } from '../modules/realtime/change-bus.js';
import type { RateLimitStore } from '../modules/rate-limit/rate-limit.store.js';
import { bearerToken } from '../modules/token/access-token.claims.js';
import { rateLimitKeyForIp } from '../modules/request/client-info.js';
import { serveGraphQLWs, WsCloseCode } from './ws-transport.js';

interface SocketState {
  request: IncomingMessage;
  address: string;
  user?: { id: string; sessionId: string; bearer: string };
  /** Operations under way on this socket, by id, with the context their errors are reported under. */
  operations: Map<string, RequestContext>;
  /** Operations admitted and not yet complete: what the subscription caps count. */
  active: Set<string>;
  expiry?: NodeJS.Timeout;
}

/**
 * graphql-ws on the same /graphql path, behind the same admission as HTTP (token limit, validation
 * rules, introspection switch, hidden suggestions, masking, request ids, logging). Only subscriptions
 * are served here: queries and mutations go over HTTP, where CSRF prevention, the refresh cookie,
 * rate-limit headers and 429s apply. The access token travels in the connection_init payload as
 * { authorization: "Bearer <token>" }; without a valid one the socket is closed (4403). A socket is
 * closed when its session ends, on any instance, or when its token expires; each pushed event checks
 * the session and tier again (see the resolvers' subscribe functions).
 */
export function attachSubscriptions(deps: {
  http: Server;
  schema: GraphQLSchema;
  admission: Admission;
  bus: ChangeBus;
  rateLimits: RateLimitStore;
  log: Logger;
  now: () => Date;
  maxPayload: number;
  limits: Config['subscriptions'];
  clientIp(req: IncomingMessage): string;
  buildContext(req: IncomingMessage, bearer: string | null, requestId: string): RequestContext;
}) {
  const { schema, admission, log, now, limits } = deps;
  const sockets = new Map<WebSocket, SocketState>();
  const count = (match: (s: SocketState) => boolean) => [...sockets.values()].filter(match).length;

  const stopListening = deps.bus.onSessionsEnded(({ userId, sessionId }) => {
    for (const [socket, { user }] of sockets) {
      if (user?.id === userId && (sessionId === null || user.sessionId === sessionId)) {
        socket.close(WsCloseCode.Forbidden, 'Session ended');
      }
    }
  });

  // Sessions that ended while the bus was down were not heard of: each socket's session is checked again.
  const stopRechecking = deps.bus.onReconnect(() => {
    for (const [socket, { request, user }] of sockets) {
      if (!user) continue;
      deps
        .buildContext(request, user.bearer, randomUUID())
        .viewerOrNull()
        .then(
          (viewer) => viewer || socket.close(WsCloseCode.Forbidden, 'Session ended'),
          (err: unknown) => log.warn({ err }, 'could not re-check a subscription socket'),
        );
    }
  });

  const formatted = (context: RequestContext | undefined, errors: readonly GraphQLError[]): GraphQLFormattedError[] => {
    if (context) reportUnexpected(context.log, errors);
    else reportUnexpected(log, errors);
    return errors.map((error) => {
      // graphql-ws wraps an error thrown by a running stream in a GraphQLError without a code: report the original.
      const e = !error.extensions.code && error.originalError instanceof GraphQLError ? error.originalError : error;
      const f = admission.formatError(e.toJSON(), e);
      return { ...f, extensions: { ...f.extensions, ...(context ? { requestId: context.requestId } : {}) } };
    });
  };

  const transport = serveGraphQLWs({
    http: deps.http,
    path: '/graphql',
    maxPayload: deps.maxPayload,
    log,
    admitSocket(socket, request) {
      const address = rateLimitKeyForIp(deps.clientIp(request));
      if (count((s) => s.address === address) >= limits.maxSocketsPerAddress) {
        log.warn({ event: 'ws_refused', address, reason: 'sockets per address' }, 'websocket refused');
        return { code: WsCloseCode.TooManyConnections, reason: 'Too many connections from this address' };
      }
      sockets.set(socket, { request, address, operations: new Map(), active: new Set() });
      socket.once('close', () => {
        clearTimeout(sockets.get(socket)?.expiry);
        sockets.delete(socket);
      });
      return null;
    },
    graphqlWs: {
      schema,
      connectionInitWaitTimeout: limits.connectionInitTimeoutMs,
      onConnect: async ({ connectionParams, extra: { socket, request } }) => {
        const state = sockets.get(socket);
        const raw = connectionParams?.authorization;
        const bearer = typeof raw === 'string' ? bearerToken(raw) : null;
        if (!state || !bearer) return false;
        const viewer = await deps.buildContext(request, bearer, randomUUID()).viewerOrNull();
        if (!viewer) return false;
        if (count((s) => s.user?.id === viewer.user.id) >= limits.maxSocketsPerUser) {
          log.warn({ event: 'ws_refused', userId: viewer.user.id, reason: 'sockets per user' }, 'websocket refused');
          socket.close(WsCloseCode.TooManyConnections, 'Too many connections for this user');
          return false;
        }
        state.user = { id: viewer.user.id, sessionId: viewer.session.id, bearer };
        const expiresInMs = viewer.claims.exp * 1000 - now().getTime();
        state.expiry = setTimeout(() => socket.close(WsCloseCode.Forbidden, 'Access token expired'), Math.max(0, expiresInMs));
        state.expiry.unref();
        return true;
      },
      onSubscribe: async ({ extra: { socket, request } }, id, payload) => {
        const state = sockets.get(socket);
        if (!state?.user) return [new GraphQLError('Not connected.', { extensions: { code: ErrorCode.UNAUTHENTICATED } })];
        const requestId = randomUUID();
        const context = deps.buildContext(request, state.user.bearer, requestId);
        state.operations.set(id, context);
        // The slot is taken before the first await and given back on refusal: checked after the session check
        // instead, a burst of frames all saw the same free slots (30 live on a socket capped at 20).
        const full = reserveSlot(state, state.user.id, id);
        if (full) return [full];
        const admitted = await admit(state, context, payload).catch((error: unknown) => {
          state.active.delete(id);
          throw error;
        });
        if ('errors' in admitted) {
          state.active.delete(id);
          return admitted.errors;
        }
        context.log.info({ event: 'subscribe', operationName: payload.operationName ?? null }, 'subscription started');
        return {
          schema,
          document: admitted.document,
          operationName: payload.operationName,
          variableValues: payload.variables,
          contextValue: context,
        };
      },
      onNext: ({ extra: { socket } }, id, _payload, _args, result) => {
        if (!result.errors) return undefined;
        return { ...result, errors: formatted(sockets.get(socket)?.operations.get(id), result.errors) };
      },
      onError: ({ extra: { socket } }, id, _payload, errors) => {
        const state = sockets.get(socket);
        const context = state?.operations.get(id);
        state?.operations.delete(id);
        state?.active.delete(id);
        return formatted(context, errors);
      },
      onComplete: ({ extra: { socket } }, id) => {
        const state = sockets.get(socket);
        state?.operations.delete(id);
        state?.active.delete(id);
      },
    },
  });

  /** Synchronous: counts and takes a slot in one step, so no other frame's check runs in between. */
  function reserveSlot(state: SocketState, userId: string, id: string): AppError | null {
    if (state.active.size >= limits.maxPerSocket) return tooMany(`at most ${limits.maxPerSocket} subscriptions per connection`);
    let ofUser = 0;
    for (const s of sockets.values()) if (s.user?.id === userId) ofUser += s.active.size;
    if (ofUser >= limits.maxPerUser) return tooMany(`at most ${limits.maxPerUser} subscriptions per user`);
    state.active.add(id);
    return null;
  }

  /** The HTTP gate, then what only this door has: subscriptions only, caps, and a rate limit on subscribing. */
  async function admit(
    state: SocketState,
    context: RequestContext,
    payload: SubscribePayload,
  ): Promise<{ document: DocumentNode } | { errors: GraphQLError[] }> {
    const admitted = admission.admit(schema, payload);
    if (!admitted.ok) return { errors: admitted.errors };
    const refusal = await refuse(state, context, admitted.operation, admitted.document);
    return refusal ? { errors: [refusal] } : { document: admitted.document };
  }

  async function refuse(state: SocketState, context: RequestContext, operation: OperationDefinitionNode, document: DocumentNode) {
    if (operation.operation !== 'subscription') {
      return new GraphQLError('Only subscriptions are served over WebSocket; send queries and mutations over HTTP.', {
        extensions: { code: 'BAD_REQUEST' },
      });
    }
    // A fresh context checks the token, the session and the tier again, as any HTTP request does.
    const viewer = await context.viewerOrNull();
    if (!viewer) return unauthenticated('The access token is invalid, out of date or has expired; reconnect with a fresh one.');
    const caller = await context.caller();
    for (const name of rootFieldNames(operation.selectionSet, document)) {
      const field = `Subscription.${name}`;
      try {
        await deps.rateLimits.consume(field, caller, 1);
      } catch (res) {
        if (!(res instanceof RateLimiterRes)) throw res;
        const budget = deps.rateLimits.budgetOf(field, caller, res, now());
        return rateLimited(`Too many subscriptions to ${field}`, { limit: budget.limit, resetAt: budget.resetAt, now: now() });
      }
    }
    return null;
  }

  return {
    async close() {
      stopListening();
      stopRechecking();
      await transport.close();
    },
  };
}

const tooMany = (limit: string) => new AppError(ErrorCode.RATE_LIMITED, `Too many subscriptions: ${limit}.`, { limit });

/**
 * The root fields an operation selects, through fragment spreads and inline fragments too: a subscription
 * wrapped in a fragment is still one subscription to pay for. `@skip`/`@include` are not read, so a skipped
 * field is charged as well (never less than what runs).
 */
export function rootFieldNames(selectionSet: SelectionSetNode, document: DocumentNode, seen = new Set<string>()): string[] {
  return selectionSet.selections.flatMap((selection) => {
    if (selection.kind === Kind.FIELD) return [selection.name.value];
    if (selection.kind === Kind.INLINE_FRAGMENT) return rootFieldNames(selection.selectionSet, document, seen);
    const name = selection.name.value;
    if (seen.has(name)) return [];
    seen.add(name);
    const fragment = document.definitions.find(
      (d): d is FragmentDefinitionNode => d.kind === Kind.FRAGMENT_DEFINITION && d.name.value === name,
    );
    return fragment ? rootFieldNames(fragment.selectionSet, document, seen) : [];
  });
}
