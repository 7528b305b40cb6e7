import { GraphQLError } from 'graphql';
import { allow, deny, rule, shield, type IRules } from 'graphql-shield';
import type { RequestContext } from '../context.js';
import { AppError, ErrorCode } from '../errors.js';
import { Tier } from '../modules/user/tier.js';

const forbidden = (message: string) => new AppError(ErrorCode.FORBIDDEN, message);

// Rules return errors rather than throw them: shield passes a returned error to the client as is.
const isAuthenticated = rule({ cache: 'contextual' })(async (_parent, _args, ctx: RequestContext) => {
  try {
    await ctx.viewer();
    return true;
  } catch (error) {
    return error as Error;
  }
});

const isAdmin = rule({ cache: 'contextual' })(async (_parent, _args, ctx: RequestContext) => {
  try {
    const { user } = await ctx.viewer();
    return user.tier === Tier.ADMIN || forbidden('Only administrators may do this.');
  } catch (error) {
    return error as Error;
  }
});

/** Progress writers: service accounts (by API key) and admins. */
const canWriteProgress = rule({ cache: 'contextual' })(async (_parent, _args, ctx: RequestContext) => {
  if (await ctx.serviceAccount()) return true;
  try {
    const { user } = await ctx.viewer();
    return user.tier === Tier.ADMIN || forbidden('Only service accounts and administrators may report progress.');
  } catch (error) {
    return error as Error;
  }
});

/** The object belongs to the caller: a User that is the caller. */
const isSelf = rule({ cache: 'strict' })(async (parent: { id: string }, _args, ctx: RequestContext) => {
  try {
    const { user } = await ctx.viewer();
    return parent.id === user.id || forbidden('Only the account holder may see this.');
  } catch (error) {
    return error as Error;
  }
});

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
  },
  Subscription: { resourceProgressChanged: isAuthenticated },
  // A User reaches a response only through me, an auth payload of the caller, or an admin field.
  User: { '*': allow, sessions: isSelf, securityEvents: isSelf, linkedProviders: isSelf },
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
