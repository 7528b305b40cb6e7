import { randomUUID } from 'node:crypto';
import type { IncomingMessage, Server } from 'node:http';
import {
  type DocumentNode,
  GraphQLError,
  type GraphQLFormattedError,
  type GraphQLSchema,
  type OperationDefinitionNode,
} from 'graphql';
import type { SubscribePayload } from 'graphql-ws';
import { RateLimiterRes } from 'rate-limiter-flexible';
import type { WebSocket } from 'ws';
import type { Config } from '../config.js';
import type { RequestContext } from '../modules/request/request-context.js';
import { AppError, ErrorCode, rateLimited, unauthenticated } from '../errors.js';
import { type Admission, reportUnexpected } from '../graphql/admission.js';
import { rootFields } from '../graphql/root-fields.js';
import type { Logger } from '../logger.js';
import type { ChangeBus } from '../modules/realtime/change-bus.js';
import type { SharedCaps } from '../modules/realtime/shared-caps.js';
import type { RateLimitStore } from '../modules/rate-limit/rate-limit.store.js';
import { bearerToken } from '../modules/token/access-token.claims.js';
import { rateLimitKeyForIp } from '../modules/request/client-info.js';
import { serveGraphQLWs, WsCloseCode } from './ws-transport.js';

interface SocketState {
  /** This socket's name among the user's slots in the shared caps. */
  socketId: string;
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
  /** With Redis: the per-user caps counted across every instance (see shared-caps.ts); else per instance. */
  sharedCaps: SharedCaps | null;
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
      const socketId = randomUUID();
      sockets.set(socket, { socketId, request, address, operations: new Map(), active: new Set() });
      socket.once('close', () => {
        const state = sockets.get(socket);
        clearTimeout(state?.expiry);
        sockets.delete(socket);
        if (state?.user && deps.sharedCaps) {
          for (const id of state.active) deps.sharedCaps.release('subscription', state.user.id, `${socketId}:${id}`);
          deps.sharedCaps.release('socket', state.user.id, socketId);
        }
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
        // Counted here first (no await since the check above), then across instances.
        if (
          deps.sharedCaps &&
          !(await deps.sharedCaps.take('socket', viewer.user.id, state.socketId, limits.maxSocketsPerUser))
        ) {
          state.user = undefined;
          log.warn({ event: 'ws_refused', userId: viewer.user.id, reason: 'sockets per user' }, 'websocket refused');
          socket.close(WsCloseCode.TooManyConnections, 'Too many connections for this user');
          return false;
        }
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
        const userId = state.user.id;
        const full = reserveSlot(state, userId, id);
        if (full) return [full];
        if (
          deps.sharedCaps &&
          !(await deps.sharedCaps.take('subscription', userId, `${state.socketId}:${id}`, limits.maxPerUser))
        ) {
          state.active.delete(id);
          return [tooMany(`at most ${limits.maxPerUser} subscriptions per user`)];
        }
        const admitted = await admit(context, payload).catch((error: unknown) => {
          freeSlot(state, id);
          throw error;
        });
        if ('errors' in admitted) {
          freeSlot(state, id);
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
        if (state) freeSlot(state, id);
        return formatted(context, errors);
      },
      onComplete: ({ extra: { socket } }, id) => {
        const state = sockets.get(socket);
        state?.operations.delete(id);
        if (state) freeSlot(state, id);
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

  function freeSlot(state: SocketState, id: string) {
    if (!state.active.delete(id)) return;
    if (state.user && deps.sharedCaps) deps.sharedCaps.release('subscription', state.user.id, `${state.socketId}:${id}`);
  }

  /** The HTTP gate, then what only this door has: subscriptions only, caps, and a rate limit on subscribing. */
  async function admit(
    context: RequestContext,
    payload: SubscribePayload,
  ): Promise<{ document: DocumentNode } | { errors: GraphQLError[] }> {
    const admitted = admission.admit(schema, payload);
    if (!admitted.ok) return { errors: admitted.errors };
    const refusal = await refuse(context, admitted.operation, admitted.document);
    return refusal ? { errors: [refusal] } : { document: admitted.document };
  }

  async function refuse(context: RequestContext, operation: OperationDefinitionNode, document: DocumentNode) {
    if (operation.operation !== 'subscription') {
      return new GraphQLError('Only subscriptions are served over WebSocket; send queries and mutations over HTTP.', {
        extensions: { code: 'BAD_REQUEST' },
      });
    }
    // A fresh context checks the token, the session and the tier again, as any HTTP request does.
    const viewer = await context.viewerOrNull();
    if (!viewer) return unauthenticated('The access token is invalid, out of date or has expired; reconnect with a fresh one.');
    const caller = await context.caller();
    for (const {
      name: { value: name },
    } of rootFields(operation.selectionSet, document)) {
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
    /** Open sockets and the subscriptions running on them, on this instance (the metrics). */
    stats() {
      let subscriptions = 0;
      for (const state of sockets.values()) subscriptions += state.active.size;
      return { sockets: sockets.size, subscriptions };
    },
    async close() {
      stopListening();
      stopRechecking();
      await transport.close();
      deps.sharedCaps?.close();
    },
  };
}

const tooMany = (limit: string) => new AppError(ErrorCode.RATE_LIMITED, `Too many subscriptions: ${limit}.`, { limit });
