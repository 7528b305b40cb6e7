import 'reflect-metadata';
import { lexicographicSortSchema, printSchema, specifiedDirectives, type GraphQLDirective, type GraphQLSchema } from 'graphql';
import { applyMiddleware } from 'graphql-middleware';
import { buildSchema } from 'type-graphql';
import { AccountResolver, UserAccountResolver } from '../modules/account/account.resolver.js';
import { AdminResolver } from '../modules/admin/admin.resolver.js';
import { AuthResolver } from '../modules/auth/auth.resolver.js';
import { OAuthResolver, UserOAuthResolver } from '../modules/oauth/oauth.resolver.js';
import { ProgressResolver } from '../modules/progress/progress.resolver.js';
import { RateLimitResolver } from '../modules/rate-limit/rate-limit.resolver.js';
import { UserSecurityEventsResolver } from '../modules/security-event/security-event.resolver.js';
import { ServiceAccountResolver } from '../modules/service-account/service-account.resolver.js';
import { SessionResolver, UserSessionsResolver } from '../modules/session/session.resolver.js';
import { UserResolver } from '../modules/user/user.resolver.js';
import { createPermissions } from './permissions.js';
import { createRateLimitDirective, rateLimitDirectiveDefinition } from './rate-limit.directive.js';

export const resolvers = [
  AuthResolver,
  UserResolver,
  SessionResolver,
  UserSessionsResolver,
  UserSecurityEventsResolver,
  RateLimitResolver,
  AdminResolver,
  ProgressResolver,
  ServiceAccountResolver,
  OAuthResolver,
  UserOAuthResolver,
  AccountResolver,
  UserAccountResolver,
] as const;

/**
 * The schema as type-graphql emits it, with the @rateLimit definition so the SDL declares it. `directives` replaces
 * graphql-js's standard ones, so they are passed too: without them every client query using @include or @skip fails.
 */
export function buildBaseSchema(directive: GraphQLDirective = rateLimitDirectiveDefinition): Promise<GraphQLSchema> {
  return buildSchema({
    resolvers,
    validate: false,
    emitSchemaFile: false,
    directives: [...specifiedDirectives, directive],
    pubSub: unusedPubSub,
  });
}

/**
 * type-graphql insists on a PubSub whenever a subscription exists, even one with its own
 * `subscribe` (ours reads the cross-instance ChangeBus). Nothing may publish through this one.
 */
const unusedPubSub = {
  publish: () => {
    throw new Error('Subscriptions use the ChangeBus, not type-graphql PubSub');
  },
  subscribe: () => {
    throw new Error('Subscriptions use the ChangeBus, not type-graphql PubSub');
  },
};

/**
 * The executable schema: rate limits wrap the resolvers first, then permissions wrap those, so a
 * call refused by a permission rule never spends the caller's budget.
 */
export async function buildGraphQLSchema(rateLimit: ReturnType<typeof createRateLimitDirective>): Promise<GraphQLSchema> {
  const base = await buildBaseSchema(rateLimit.directive);
  return applyMiddleware(rateLimit.transform(base), createPermissions());
}

/** The SDL committed as schema.graphql; sorted so that the file changes only when the API does. */
const SCHEMA_FILE_HEADER = '# Generated from the resolvers by `npm run schema`. Do not edit: a test fails when this file drifts.';

export function printSchemaFile(schema: GraphQLSchema): string {
  return `${SCHEMA_FILE_HEADER}\n\n${printSchema(lexicographicSortSchema(schema))}\n`;
}
