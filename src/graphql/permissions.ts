import { MapperKind, mapSchema } from '@graphql-tools/utils';
import { defaultFieldResolver, type GraphQLFieldResolver, type GraphQLSchema, isObjectType } from 'graphql';
import type { RequestContext, Viewer } from '../modules/request/request-context.js';
import { forbidden } from '../errors.js';
import { Tier } from '../modules/user/tier.js';
import { viewerWithProgress } from '../modules/progress/progress.resolver.js';

/**
 * A permission check on one field: `true` lets the call through; a returned Error is what the client gets
 * (UNAUTHENTICATED from a missing or bad token, FORBIDDEN from the check), as is. Anything else, a throw
 * included, refuses with FORBIDDEN.
 */
export type Rule = (parent: unknown, args: unknown, ctx: RequestContext) => unknown;

/** Lets every call through. A field under `allow` is not wrapped at all: it resolves on graphql-js's own path. */
export const allow: Rule = () => true;

/** Refuses every call; what a field without a rule gets. */
export const deny: Rule = () => false;

/** Rules by type, then by field; `'*'` is the rule for a type's fields not named. A missing type or field is denied. */
export type RuleTree = Readonly<Record<string, Rule | Readonly<Record<string, Rule>>>>;

/**
 * Runs `check` on the signed-in caller. `ctx.viewer()` is resolved once per request, so a rule run for
 * many fields of one request costs a promise each, not a token check.
 */
const withViewer =
  <P>(check: (viewer: Viewer, parent: P) => true | Error) =>
  (parent: unknown, _args: unknown, ctx: RequestContext) =>
    ctx.viewer().then(
      (viewer) => check(viewer, parent as P),
      (error: unknown) => error as Error,
    );

const isAdminUser = ({ user }: Viewer, message: string) => user.tier === Tier.ADMIN || forbidden(message);

const isAuthenticated: Rule = withViewer(() => true);

const isAdmin: Rule = withViewer((viewer) => isAdminUser(viewer, 'Only administrators may do this.'));

/** Progress writers: service accounts (by API key) and admins. */
const canWriteProgress: Rule = async (parent, args, ctx) =>
  (await ctx.serviceAccount())
    ? true
    : withViewer((viewer) => isAdminUser(viewer, 'Only service accounts and administrators may report progress.'))(
        parent,
        args,
        ctx,
      );

/**
 * Signed in, as isAuthenticated, checked by the statement that also reads the progress the resolver
 * returns: one round trip for the field instead of the session check and then the read.
 */
const isAuthenticatedReadingProgress: Rule = (_parent, args, ctx) =>
  viewerWithProgress(ctx, (args as { resourceId: string }).resourceId).then(
    () => true,
    (error: unknown) => error as Error,
  );

/** The object belongs to the caller: a User that is the caller. */
const isSelf: Rule = withViewer<{ id: string }>(
  ({ user }, parent) => parent.id === user.id || forbidden('Only the account holder may see this.'),
);

/** Every field of the schema, by type. A type or field missing here is refused (deny by default). */
export const ruleTree: RuleTree = {
  Query: {
    me: isAuthenticated,
    rateLimitStatus: allow, // anonymous callers see the budget of their address
    users: isAdmin,
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
};

/** The rule for one field: its own, else its type's `'*'`, else the type's rule, else deny. */
export function ruleFor(rules: RuleTree, typeName: string, fieldName: string): Rule {
  const typeRule = rules[typeName];
  if (typeof typeRule === 'function') return typeRule;
  return typeRule?.[fieldName] ?? typeRule?.['*'] ?? deny;
}

/**
 * Wraps every field whose rule is not `allow` in its check; `allow` fields, most of them scalars of an
 * object whose own field was checked, keep their resolvers untouched (a wrapper on each would make every
 * scalar a promise). A field without a rule is wrapped in `deny`: deny by default holds for fields added
 * later to Query, Mutation and Subscription and to types not in the tree; a field added to a type allowed
 * as a whole (or to User, under `'*'`) is open, which a test pins field by field. Both `resolve` and
 * `subscribe` are guarded, so a subscription is checked as it starts and for every event. A rule naming a
 * type or field the schema lacks is a mistake and fails the build.
 */
export function applyPermissions(schema: GraphQLSchema, rules: RuleTree = ruleTree): GraphQLSchema {
  const unknown: string[] = [];
  for (const [typeName, typeRule] of Object.entries(rules)) {
    const type = schema.getType(typeName);
    if (!type || !isObjectType(type)) unknown.push(typeName);
    else if (typeof typeRule !== 'function') {
      const fields = type.getFields();
      for (const fieldName of Object.keys(typeRule))
        if (fieldName !== '*' && !fields[fieldName]) unknown.push(`${typeName}.${fieldName}`);
    }
  }
  if (unknown.length) throw new Error(`Permission rules name what the schema lacks: ${unknown.join(', ')}`);

  return mapSchema(schema, {
    [MapperKind.OBJECT_FIELD]: (config, fieldName, typeName) => {
      const rule = ruleFor(rules, typeName, fieldName);
      if (rule === allow) return config;
      return {
        ...config,
        resolve: guarded(rule, config.resolve ?? defaultFieldResolver),
        ...(config.subscribe ? { subscribe: guarded(rule, config.subscribe) } : {}),
      };
    },
  });
}

const notAllowed = () => forbidden('You are not allowed to do this.');

const guarded =
  (rule: Rule, next: GraphQLFieldResolver<unknown, RequestContext>): GraphQLFieldResolver<unknown, RequestContext> =>
  async (parent, args, ctx, info) => {
    let verdict: unknown;
    try {
      verdict = await rule(parent, args, ctx);
    } catch {
      verdict = false;
    }
    if (verdict !== true) throw verdict instanceof Error ? verdict : notAllowed();
    return next(parent, args, ctx, info);
  };
