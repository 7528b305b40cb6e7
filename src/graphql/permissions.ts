import { MapperKind, mapSchema } from '@graphql-tools/utils';
import type { GraphQLFieldResolver, GraphQLResolveInfo, GraphQLSchema } from 'graphql';
import { GraphQLError } from 'graphql';
import { applyMiddleware, type IMiddlewareTypeMap } from 'graphql-middleware';
import { allow, deny, type IRule, type IRules, rule, shield } from 'graphql-shield';

/** What every graphql-shield rule is, logic rules (and, or, chain…) included: its index exports no name for it. */
type ShieldRule = Pick<IRule, 'resolve'>;
type IOptions = NonNullable<Parameters<typeof shield>[1]>;
import { isDatabaseUnavailable } from '../db/outage.js';
import { forbidden, serviceUnavailable } from '../errors.js';
import type { RequestContext, Viewer } from '../modules/request/request-context.js';
import { Tier } from '../modules/user/tier.js';
import { viewerWithProgress } from '../modules/progress/progress.resolver.js';

export { allow, deny };

/** Rules by type, then by field; `'*'` is the rule for a type's fields not named. graphql-shield's own tree type. */
export type RuleTree = Readonly<Record<string, ShieldRule | Readonly<Record<string, ShieldRule>>>>;

/**
 * A rule's check, run by graphql-shield: `true` lets the call through; a returned Error is what the client
 * gets (UNAUTHENTICATED from a missing or bad token, FORBIDDEN from the check); `false` is FORBIDDEN.
 *
 * graphql-shield turns a *thrown* error into `false`, so a rule whose dependency is down (the database
 * during an outage) would answer FORBIDDEN — and a worker told FORBIDDEN reasonably concludes its key was
 * revoked and stops. So every check is wrapped: an outage becomes SERVICE_UNAVAILABLE, a GraphQLError is
 * returned as it is, and anything else is returned too, so the error masker logs it and answers
 * INTERNAL_SERVER_ERROR instead of a misleading FORBIDDEN. The field still never resolves.
 */
type Check = (parent: unknown, args: Record<string, unknown>, ctx: RequestContext) => Promise<true | Error> | true | Error;

const returnsErrors =
  (check: Check) =>
  async (parent: unknown, args: Record<string, unknown>, ctx: RequestContext): Promise<boolean | Error> => {
    try {
      return await check(parent, args, ctx);
    } catch (error) {
      return asRuleError(error);
    }
  };

const asRuleError = (error: unknown): Error => {
  if (isDatabaseUnavailable(error)) return serviceUnavailable();
  if (error instanceof Error) return error;
  return new Error(String(error));
};

/**
 * `contextual` caches a rule's verdict per request (graphql-shield keys it by the rule's name in the
 * context): right for rules that depend only on who calls. Rules that read the parent or the arguments
 * are `no_cache` — `strict` would hash every parent and argument object, a cost on every list item.
 */
const perRequest = (name: string, check: Check) => rule(name, { cache: 'contextual' })(returnsErrors(check));
const perCall = (name: string, check: Check) => rule(name, { cache: 'no_cache' })(returnsErrors(check));

/** The signed-in caller's check; `ctx.viewer()` is memoised per request, and its rejection is the answer. */
const withViewer =
  <P>(check: (viewer: Viewer, parent: P) => true | Error): Check =>
  (parent, _args, ctx) =>
    ctx.viewer().then(
      (viewer) => check(viewer, parent as P),
      (error: unknown) => (isDatabaseUnavailable(error) ? serviceUnavailable() : (error as Error)),
    );

const isAdminUser = ({ user }: Viewer, message: string) => user.tier === Tier.ADMIN || forbidden(message);

const isAuthenticated = perRequest(
  'isAuthenticated',
  withViewer(() => true),
);

const isAdmin = perRequest(
  'isAdmin',
  withViewer((viewer) => isAdminUser(viewer, 'Only administrators may do this.')),
);

/**
 * Admins only, and FORBIDDEN for everyone else, anonymous callers and refused tokens included: the audit
 * log's contract (issue #30) gives a non-admin one answer, whatever their token.
 */
const isAdminElseForbidden = perRequest('isAdminElseForbidden', (_parent, _args, ctx) => {
  const message = 'Only administrators may read the audit log.';
  return ctx.viewer().then(
    (viewer) => isAdminUser(viewer, message),
    (error: unknown) => (isDatabaseUnavailable(error) ? serviceUnavailable() : forbidden(message)),
  );
});

/** Progress writers: service accounts (by API key) and admins. */
const canWriteProgress = perRequest('canWriteProgress', async (parent, args, ctx) =>
  (await ctx.serviceAccount())
    ? true
    : withViewer((viewer) => isAdminUser(viewer, 'Only service accounts and administrators may report progress.'))(
        parent,
        args,
        ctx,
      ),
);

/**
 * Signed in, as isAuthenticated, checked by the statement that also reads the progress the resolver
 * returns: one round trip for the field instead of the session check and then the read.
 */
const isAuthenticatedReadingProgress = perCall('isAuthenticatedReadingProgress', (_parent, args, ctx) =>
  viewerWithProgress(ctx, (args as { resourceId: string }).resourceId).then(() => true as const),
);

/** The object belongs to the caller: a User that is the caller. */
const isSelf = perCall(
  'isSelf',
  withViewer<{ id: string }>(({ user }, parent) => parent.id === user.id || forbidden('Only the account holder may see this.')),
);

/** Every field of the schema, by type. A type or field missing here is refused (deny by default). */
export const ruleTree: RuleTree = {
  Query: {
    me: isAuthenticated,
    rateLimitStatus: allow, // anonymous callers see the budget of their address
    users: isAdmin,
    auditLog: isAdminElseForbidden,
    resourceProgress: isAuthenticatedReadingProgress, // the resolver answers null unless the reader is the owner or an admin
  },
  Mutation: {
    register: allow,
    login: allow,
    refresh: allow,
    startOAuth: allow, // signed in, it links instead of signing in
    completeOAuth: allow,
    unlinkOAuth: isAuthenticated,
    logout: isAuthenticated,
    revokeSession: isAuthenticated,
    setUserTier: isAdmin,
    reportResourceProgress: canWriteProgress,
    createServiceAccount: isAdmin,
    revokeServiceAccount: isAdmin,
    requestEmailVerification: isAuthenticated,
    verifyEmail: allow, // the emailed token is the credential
    requestPasswordReset: allow,
    resetPassword: allow,
    changePassword: isAuthenticated,
    requestEmailChange: isAuthenticated,
    confirmEmailChange: allow,
    revertEmailChange: allow, // the emailed token is the credential; the change it undoes ended every session
    deleteAccount: isAuthenticated,
  },
  Subscription: { resourceProgressChanged: isAuthenticated },
  // A User reaches a response only through me, an auth payload of the caller, or an admin field.
  User: { '*': allow, sessions: isSelf, securityEvents: isSelf, linkedProviders: isSelf, hasPassword: isSelf },
  OAuthStart: allow,
  AuthPayload: allow,
  // Only ever the caller's own input back (verify-first sign-up).
  RegistrationPending: allow,
  Session: allow,
  SecurityEvent: allow,
  RateLimitStatus: allow,
  FieldRateLimit: allow,
  UserConnection: allow,
  UserEdge: allow,
  PageInfo: allow,
  ResourceProgress: allow,
  StageProgress: allow,
  ServiceAccount: allow,
  ServiceAccountCredentials: allow,
  AuditEntryConnection: allow,
  AuditEntryEdge: allow,
  AuditEntry: allow,
};

/** The rule graphql-shield gives one field: its own, else its type's `'*'`, else the type's rule, else deny. */
export function ruleFor(rules: RuleTree, typeName: string, fieldName: string): ShieldRule {
  const typeRule = rules[typeName];
  if (!typeRule) return deny;
  if (typeof typeRule.resolve === 'function') return typeRule as ShieldRule;
  const fields = typeRule as Record<string, ShieldRule>;
  return fields[fieldName] ?? fields['*'] ?? deny;
}

const options: IOptions = {
  fallbackRule: deny,
  debug: false,
  allowExternalErrors: false,
  // Called with the error when a resolver behind a rule threw (return it unchanged: its code, or the
  // masker, decides what the client sees), and with null when a rule said no.
  fallbackError: async (thrown: unknown) => (thrown instanceof Error ? thrown : forbidden('You are not allowed to do this.')),
  hashFunction: () => '', // only `strict` caching hashes, and no rule here uses it
};

/**
 * The permission layer: graphql-shield builds a middleware for every field of every object type
 * (`shield(...).generate(schema)`); the entries whose rule is `allow` are dropped before
 * graphql-middleware applies the map, so those fields — most of them scalars of an object whose own
 * field was checked — keep their resolvers untouched instead of each becoming an async wrapper
 * (measured: that is what made `shield()` cost ~36 % of `rateLimitStatus`). Deny by default holds for
 * every field not named: shield gives it `fallbackRule: deny`, and it is not `allow`, so it stays wrapped.
 *
 * graphql-middleware wraps only `resolve` where a field has both `resolve` and `subscribe`, so
 * subscriptions are checked as they start by the pass below, with the same rule; the wrapped `resolve`
 * checks them again for every event.
 */
export function applyPermissions(schema: GraphQLSchema, rules: RuleTree = ruleTree): GraphQLSchema {
  const generated = shield(rules as IRules, options).generate(schema) as Record<string, Record<string, unknown>>;
  const pruned: IMiddlewareTypeMap = {};
  for (const [typeName, fields] of Object.entries(generated)) {
    const kept = Object.fromEntries(
      Object.entries(fields).filter(([fieldName]) => ruleFor(rules, typeName, fieldName) !== allow),
    );
    if (Object.keys(kept).length) pruned[typeName] = kept as IMiddlewareTypeMap[string];
  }
  const guarded = applyMiddleware(schema, pruned);
  return mapSchema(guarded, {
    [MapperKind.OBJECT_FIELD]: (config, fieldName, typeName) => {
      if (!config.subscribe) return config;
      const fieldRule = ruleFor(rules, typeName, fieldName);
      return fieldRule === allow ? config : { ...config, subscribe: checkedFirst(fieldRule, config.subscribe) };
    },
  });
}

const checkedFirst =
  (fieldRule: ShieldRule, next: GraphQLFieldResolver<unknown, RequestContext>): GraphQLFieldResolver<unknown, RequestContext> =>
  async (parent, args, ctx, info: GraphQLResolveInfo) => {
    // shield's middleware makes its per-request cache on first use; a subscription can start before any.
    const shieldCtx = ctx as unknown as Parameters<ShieldRule['resolve']>[2];
    shieldCtx._shield ??= { cache: {} };
    const verdict = await fieldRule.resolve(parent as object, args, shieldCtx, info, options as never);
    if (verdict === true) return next(parent, args, ctx, info);
    if (verdict instanceof GraphQLError) throw verdict;
    throw verdict instanceof Error ? verdict : forbidden('You are not allowed to do this.');
  };
