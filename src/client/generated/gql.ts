/* eslint-disable */
import * as types from './graphql.js';
import type { TypedDocumentNode as DocumentNode } from '@graphql-typed-document-node/core';

/**
 * Map of all GraphQL operations in the project.
 *
 * This map has several performance disadvantages:
 * 1. It is not tree-shakeable, so it will include all operations in the project.
 * 2. It is not minifiable, so the string of a GraphQL query will be multiple times inside the bundle.
 * 3. It does not support dead code elimination, so it will add unused operations.
 *
 * Therefore it is highly recommended to use the babel or swc plugin for production.
 * Learn more about it here: https://the-guild.dev/graphql/codegen/plugins/presets/preset-client#reducing-bundle-size
 */
type Documents = {
    "fragment UserFields on User {\n  id\n  email\n  username\n  tier\n  createdAt\n  lastLoginAt\n}\n\nfragment AuthFields on AuthPayload {\n  accessToken\n  accessTokenExpiresAt\n  refreshToken\n  refreshTokenExpiresAt\n  user {\n    ...UserFields\n  }\n}\n\nmutation Register($input: RegisterInput!) {\n  register(input: $input) {\n    ...AuthFields\n  }\n}\n\nmutation Login($input: LoginInput!) {\n  login(input: $input) {\n    ...AuthFields\n  }\n}\n\nquery Me {\n  me {\n    ...UserFields\n  }\n}\n\nmutation Refresh($refreshToken: String) {\n  refresh(refreshToken: $refreshToken) {\n    ...AuthFields\n  }\n}\n\nmutation Logout($allSessions: Boolean) {\n  logout(allSessions: $allSessions)\n}\n\nmutation RevokeSession($id: ID!) {\n  revokeSession(id: $id)\n}\n\nquery MySessions {\n  me {\n    id\n    sessions {\n      id\n      createdAt\n      lastUsedAt\n      expiresAt\n      userAgent\n      ip\n      current\n    }\n  }\n}\n\nquery MySecurityEvents($first: Int) {\n  me {\n    id\n    securityEvents(first: $first) {\n      id\n      type\n      at\n      ip\n      userAgent\n    }\n  }\n}\n\nquery RateLimitStatus {\n  rateLimitStatus {\n    tier\n    limits {\n      field\n      limit\n      used\n      remaining\n      windowSeconds\n      resetAt\n    }\n  }\n}\n\nquery Users($first: Int, $after: String) {\n  users(first: $first, after: $after) {\n    edges {\n      cursor\n      node {\n        ...UserFields\n      }\n    }\n    pageInfo {\n      endCursor\n      hasNextPage\n    }\n  }\n}\n\nmutation SetUserTier($userId: ID!, $tier: Tier!) {\n  setUserTier(userId: $userId, tier: $tier) {\n    ...UserFields\n  }\n}": typeof types.UserFieldsFragmentDoc,
};
const documents: Documents = {
    "fragment UserFields on User {\n  id\n  email\n  username\n  tier\n  createdAt\n  lastLoginAt\n}\n\nfragment AuthFields on AuthPayload {\n  accessToken\n  accessTokenExpiresAt\n  refreshToken\n  refreshTokenExpiresAt\n  user {\n    ...UserFields\n  }\n}\n\nmutation Register($input: RegisterInput!) {\n  register(input: $input) {\n    ...AuthFields\n  }\n}\n\nmutation Login($input: LoginInput!) {\n  login(input: $input) {\n    ...AuthFields\n  }\n}\n\nquery Me {\n  me {\n    ...UserFields\n  }\n}\n\nmutation Refresh($refreshToken: String) {\n  refresh(refreshToken: $refreshToken) {\n    ...AuthFields\n  }\n}\n\nmutation Logout($allSessions: Boolean) {\n  logout(allSessions: $allSessions)\n}\n\nmutation RevokeSession($id: ID!) {\n  revokeSession(id: $id)\n}\n\nquery MySessions {\n  me {\n    id\n    sessions {\n      id\n      createdAt\n      lastUsedAt\n      expiresAt\n      userAgent\n      ip\n      current\n    }\n  }\n}\n\nquery MySecurityEvents($first: Int) {\n  me {\n    id\n    securityEvents(first: $first) {\n      id\n      type\n      at\n      ip\n      userAgent\n    }\n  }\n}\n\nquery RateLimitStatus {\n  rateLimitStatus {\n    tier\n    limits {\n      field\n      limit\n      used\n      remaining\n      windowSeconds\n      resetAt\n    }\n  }\n}\n\nquery Users($first: Int, $after: String) {\n  users(first: $first, after: $after) {\n    edges {\n      cursor\n      node {\n        ...UserFields\n      }\n    }\n    pageInfo {\n      endCursor\n      hasNextPage\n    }\n  }\n}\n\nmutation SetUserTier($userId: ID!, $tier: Tier!) {\n  setUserTier(userId: $userId, tier: $tier) {\n    ...UserFields\n  }\n}": types.UserFieldsFragmentDoc,
};

/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 *
 *
 * @example
 * ```ts
 * const query = graphql(`query GetUser($id: ID!) { user(id: $id) { name } }`);
 * ```
 *
 * The query argument is unknown!
 * Please regenerate the types.
 */
export function graphql(source: string): unknown;

/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "fragment UserFields on User {\n  id\n  email\n  username\n  tier\n  createdAt\n  lastLoginAt\n}\n\nfragment AuthFields on AuthPayload {\n  accessToken\n  accessTokenExpiresAt\n  refreshToken\n  refreshTokenExpiresAt\n  user {\n    ...UserFields\n  }\n}\n\nmutation Register($input: RegisterInput!) {\n  register(input: $input) {\n    ...AuthFields\n  }\n}\n\nmutation Login($input: LoginInput!) {\n  login(input: $input) {\n    ...AuthFields\n  }\n}\n\nquery Me {\n  me {\n    ...UserFields\n  }\n}\n\nmutation Refresh($refreshToken: String) {\n  refresh(refreshToken: $refreshToken) {\n    ...AuthFields\n  }\n}\n\nmutation Logout($allSessions: Boolean) {\n  logout(allSessions: $allSessions)\n}\n\nmutation RevokeSession($id: ID!) {\n  revokeSession(id: $id)\n}\n\nquery MySessions {\n  me {\n    id\n    sessions {\n      id\n      createdAt\n      lastUsedAt\n      expiresAt\n      userAgent\n      ip\n      current\n    }\n  }\n}\n\nquery MySecurityEvents($first: Int) {\n  me {\n    id\n    securityEvents(first: $first) {\n      id\n      type\n      at\n      ip\n      userAgent\n    }\n  }\n}\n\nquery RateLimitStatus {\n  rateLimitStatus {\n    tier\n    limits {\n      field\n      limit\n      used\n      remaining\n      windowSeconds\n      resetAt\n    }\n  }\n}\n\nquery Users($first: Int, $after: String) {\n  users(first: $first, after: $after) {\n    edges {\n      cursor\n      node {\n        ...UserFields\n      }\n    }\n    pageInfo {\n      endCursor\n      hasNextPage\n    }\n  }\n}\n\nmutation SetUserTier($userId: ID!, $tier: Tier!) {\n  setUserTier(userId: $userId, tier: $tier) {\n    ...UserFields\n  }\n}"): (typeof documents)["fragment UserFields on User {\n  id\n  email\n  username\n  tier\n  createdAt\n  lastLoginAt\n}\n\nfragment AuthFields on AuthPayload {\n  accessToken\n  accessTokenExpiresAt\n  refreshToken\n  refreshTokenExpiresAt\n  user {\n    ...UserFields\n  }\n}\n\nmutation Register($input: RegisterInput!) {\n  register(input: $input) {\n    ...AuthFields\n  }\n}\n\nmutation Login($input: LoginInput!) {\n  login(input: $input) {\n    ...AuthFields\n  }\n}\n\nquery Me {\n  me {\n    ...UserFields\n  }\n}\n\nmutation Refresh($refreshToken: String) {\n  refresh(refreshToken: $refreshToken) {\n    ...AuthFields\n  }\n}\n\nmutation Logout($allSessions: Boolean) {\n  logout(allSessions: $allSessions)\n}\n\nmutation RevokeSession($id: ID!) {\n  revokeSession(id: $id)\n}\n\nquery MySessions {\n  me {\n    id\n    sessions {\n      id\n      createdAt\n      lastUsedAt\n      expiresAt\n      userAgent\n      ip\n      current\n    }\n  }\n}\n\nquery MySecurityEvents($first: Int) {\n  me {\n    id\n    securityEvents(first: $first) {\n      id\n      type\n      at\n      ip\n      userAgent\n    }\n  }\n}\n\nquery RateLimitStatus {\n  rateLimitStatus {\n    tier\n    limits {\n      field\n      limit\n      used\n      remaining\n      windowSeconds\n      resetAt\n    }\n  }\n}\n\nquery Users($first: Int, $after: String) {\n  users(first: $first, after: $after) {\n    edges {\n      cursor\n      node {\n        ...UserFields\n      }\n    }\n    pageInfo {\n      endCursor\n      hasNextPage\n    }\n  }\n}\n\nmutation SetUserTier($userId: ID!, $tier: Tier!) {\n  setUserTier(userId: $userId, tier: $tier) {\n    ...UserFields\n  }\n}"];

export function graphql(source: string) {
  return (documents as any)[source] ?? {};
}

export type DocumentType<TDocumentNode extends DocumentNode<any, any>> = TDocumentNode extends DocumentNode<  infer TType,  any>  ? TType  : never;