import { GraphQLError } from 'graphql';
import { allow, deny, rule, shield, type IRules } from 'graphql-shield';
import type { RequestContext, Viewer } from '../modules/request/request-context.js';
import { forbidden } from '../errors.js';
import { Tier } from '../modules/user/tier.js';

/**
 * Runs `check` on the signed-in caller. Rules return errors rather than throw them: shield passes a
 * returned error (UNAUTHENTICATED from a missing or bad token, FORBIDDEN from the check) to the client as is.
 */
const withViewer =
  <P>(check: (viewer: Viewer, parent: P) => true | Error) =>
  (parent: P, _args: unknown, ctx: RequestContext) =>
    ctx.viewer().then(
      (viewer) => check(viewer, parent),
      (error: unknown) => error as Error,
    );

const isAdminUser = ({ user }: Viewer, message: string) => user.tier === Tier.ADMIN || forbidden(message);

const isAuthenticated = rule({ cache: 'contextual' })(withViewer(() => true));

const isAdmin = rule({ cache: 'contextual' })(withViewer((viewer) => isAdminUser(viewer, 'Only administrators may do this.')));

/** Progress writers: service accounts (by API key) and admins. */
const canWriteProgress = rule({ cache: 'contextual' })(async (parent, args, ctx: RequestContext) =>
  (await ctx.serviceAccount())
    ? true
    : withViewer((viewer) => isAdminUser(viewer, 'Only service accounts and administrators may report progress.'))(
        parent,
        args,
        ctx,
      ),
);

/** The object belongs to the caller: a User that is the caller. */
const isSelf = rule({ cache: 'strict' })(
  withViewer<{ id: string }>(({ user }, parent) => parent.id === user.id || forbidden('Only the account holder may see this.')),
);

/** Every field of the schema, by type. A type or field missing here is refused (fallbackRule: deny). */
export const ruleTree: IRules = {
  Query: {
    me: isAuthenticated,
    rateLimitStatus: allow, // anonymous callers see the budget of their address
    users: isAdmin,
    resourceProgress: isAuthenticated, // the resolver answers null unless the reader is the owner or an admin
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

export function createPermissions(rules: IRules = ruleTree) {
  return shield(rules, {
    fallbackRule: deny,
    allowExternalErrors: false,
    // Called for denied rules (error null) and for errors thrown by resolvers: keep a resolver's
    // GraphQLError and its code; hand anything else on for masking and logging.
    fallbackError: async (error) => {
      if (error instanceof GraphQLError || error instanceof Error) return error;
      return forbidden('You are not allowed to do this.');
    },
  });
}
