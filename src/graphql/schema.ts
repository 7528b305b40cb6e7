import 'reflect-metadata';
import { lexicographicSortSchema, printSchema, type GraphQLSchema } from 'graphql';
import { buildSchema } from 'type-graphql';
import { AuthResolver } from '../modules/auth/auth.resolver.js';
import { SessionResolver, UserSessionsResolver } from '../modules/session/session.resolver.js';
import { UserResolver } from '../modules/user/user.resolver.js';

export const resolvers = [AuthResolver, UserResolver, SessionResolver, UserSessionsResolver] as const;

export function buildGraphQLSchema(): Promise<GraphQLSchema> {
  return buildSchema({ resolvers, validate: false, emitSchemaFile: false });
}

/** The SDL committed as schema.graphql; sorted so that the file changes only when the API does. */
export function printSchemaFile(schema: GraphQLSchema): string {
  return `# Generated from the resolvers by \`npm run schema\`. Do not edit: a test fails when this file drifts.\n\n${printSchema(lexicographicSortSchema(schema))}\n`;
}
