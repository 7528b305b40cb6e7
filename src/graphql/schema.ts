import 'reflect-metadata';
import { lexicographicSortSchema, printSchema, specifiedDirectives, type GraphQLDirective, type GraphQLSchema } from 'graphql';
import { buildSchema } from 'type-graphql';
import { AccountResolver, UserAccountResolver } from '../modules/account/account.resolver.js';
import { AdminResolver } from '../modules/admin/admin.resolver.js';
import { AuditResolver } from '../modules/audit/audit.resolver.js';
import { AuthResolver } from '../modules/auth/auth.resolver.js';
import { OAuthResolver, UserOAuthResolver } from '../modules/oauth/oauth.resolver.js';
import { ProgressResolver } from '../modules/progress/progress.resolver.js';
import { RateLimitResolver } from '../modules/rate-limit/rate-limit.resolver.js';
import { UserSecurityEventsResolver } from '../modules/security-event/security-event.resolver.js';
import { ServiceAccountResolver } from '../modules/service-account/service-account.resolver.js';
import { SessionResolver, UserSessionsResolver } from '../modules/session/session.resolver.js';
import { UserResolver } from '../modules/user/user.resolver.js';
import { applyPermissions } from './permissions.js';
import { refuseUnstorableArguments } from './storable-input.js';
import { createRateLimitDirective, rateLimitDirectiveDefinition } from './rate-limit.directive.js';

export const resolvers = [
  AuthResolver,
  UserResolver,
  SessionResolver,
  UserSessionsResolver,
  UserSecurityEventsResolver,
  RateLimitResolver,
  AdminResolver,
  AuditResolver,
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
export async function buildBaseSchema(directive: GraphQLDirective = rateLimitDirectiveDefinition): Promise<GraphQLSchema> {
  const schema = await buildSchema({
    resolvers,
    validate: false,
    emitSchemaFile: false,
    directives: [...specifiedDirectives, directive],
    pubSub: unusedPubSub,
  });
  // type-graphql has no option for the root types' descriptions; the schema is the documentation.
  for (const [type, description] of [
    [schema.getQueryType(), rootDescriptions.Query],
    [schema.getMutationType(), rootDescriptions.Mutation],
    [schema.getSubscriptionType(), rootDescriptions.Subscription],
  ] as const) {
    if (type) type.description = description;
  }
  return schema;
}

const rootDescriptions = {
  Query: 'Reads. Over HTTP POST (or GET with a preflight header) on /graphql. Errors carry extensions.code and requestId.',
  Mutation: 'Writes. Over HTTP POST on /graphql only, never over WebSocket or GET.',
  Subscription: 'Live updates, over graphql-ws on /graphql with the access token in connection_init; subscriptions only.',
};

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
 * call refused by a permission rule never spends the caller's budget; outermost, arguments Postgres
 * could not store are refused before anything else runs.
 */
export async function buildGraphQLSchema(rateLimit: ReturnType<typeof createRateLimitDirective>): Promise<GraphQLSchema> {
  const base = await buildBaseSchema(rateLimit.directive);
  return refuseUnstorableArguments(applyPermissions(rateLimit.transform(base)));
}

/** The SDL committed as schema.graphql; sorted so that the file changes only when the API does. */
const SCHEMA_FILE_HEADER = '# Generated from the resolvers by `npm run schema`. Do not edit: a test fails when this file drifts.';

export function printSchemaFile(schema: GraphQLSchema): string {
  return `${SCHEMA_FILE_HEADER}\n\n${printSchema(lexicographicSortSchema(schema))}\n`;
}
