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
    "\n  mutation ChangePassword($currentPassword: String, $newPassword: String!) {\n    changePassword(currentPassword: $currentPassword, newPassword: $newPassword) {\n      accessToken\n      deviceToken\n      user {\n        id\n        email\n        username\n        hasPassword\n      }\n    }\n  }\n": typeof types.ChangePasswordDocument,
    "\n  mutation RequestEmailChange($newEmail: String!, $currentPassword: String) {\n    requestEmailChange(newEmail: $newEmail, currentPassword: $currentPassword)\n  }\n": typeof types.RequestEmailChangeDocument,
    "\n  query RateLimitStatus {\n    rateLimitStatus {\n      tier\n      limits {\n        field\n        limit\n        used\n        remaining\n        windowSeconds\n        resetAt\n      }\n    }\n  }\n": typeof types.RateLimitStatusDocument,
    "\n  mutation ConfirmEmailChange($token: String!) {\n    confirmEmailChange(token: $token) {\n      id\n      email\n      emailVerified\n    }\n  }\n": typeof types.ConfirmEmailChangeDocument,
    "\n  mutation RequestEmailVerification {\n    requestEmailVerification\n  }\n": typeof types.RequestEmailVerificationDocument,
    "\n  mutation StartOAuth($provider: OAuthProvider!, $redirectUri: String!) {\n    startOAuth(provider: $provider, redirectUri: $redirectUri) {\n      authorizationUrl\n      binding\n    }\n  }\n": typeof types.StartOAuthDocument,
    "\n  mutation CompleteOAuth($provider: OAuthProvider!, $code: String!, $state: String!, $binding: String!) {\n    completeOAuth(provider: $provider, code: $code, state: $state, binding: $binding) {\n      accessToken\n      deviceToken\n      user {\n        email\n        username\n      }\n    }\n  }\n": typeof types.CompleteOAuthDocument,
    "\n  query Me {\n    me {\n      id\n      email\n      emailVerified\n      hasPassword\n      username\n      tier\n      createdAt\n      lastLoginAt\n    }\n  }\n": typeof types.MeDocument,
    "\n  fragment Progress on ResourceProgress {\n    resourceId\n    overallStatus\n    percentComplete\n    stages {\n      stage\n      status\n      percent\n      message\n    }\n  }\n": typeof types.ProgressFragmentDoc,
    "\n  query ResourceProgress($resourceId: ID!) {\n    resourceProgress(resourceId: $resourceId) {\n      ...Progress\n    }\n  }\n": typeof types.ResourceProgressDocument,
    "\n  subscription ResourceProgressChanged($resourceId: ID!) {\n    resourceProgressChanged(resourceId: $resourceId) {\n      ...Progress\n    }\n  }\n": typeof types.ResourceProgressChangedDocument,
    "\n  mutation RequestPasswordReset($email: String!) {\n    requestPasswordReset(email: $email)\n  }\n": typeof types.RequestPasswordResetDocument,
    "\n  mutation ResetPassword($token: String!, $newPassword: String!) {\n    resetPassword(token: $token, newPassword: $newPassword)\n  }\n": typeof types.ResetPasswordDocument,
    "\n  query MySecurityEvents($first: Int) {\n    me {\n      id\n      securityEvents(first: $first) {\n        id\n        type\n        at\n        ip\n        userAgent\n      }\n    }\n  }\n": typeof types.MySecurityEventsDocument,
    "\n  query MySessions {\n    me {\n      id\n      sessions {\n        id\n        current\n        userAgent\n        ip\n        createdAt\n        lastUsedAt\n        expiresAt\n      }\n    }\n  }\n": typeof types.MySessionsDocument,
    "\n  mutation RevokeSession($id: ID!) {\n    revokeSession(id: $id)\n  }\n": typeof types.RevokeSessionDocument,
    "\n  mutation VerifyEmail($token: String!) {\n    verifyEmail(token: $token) {\n      id\n      email\n      emailVerified\n    }\n  }\n": typeof types.VerifyEmailDocument,
    "\n  mutation CreateServiceAccount($name: String!) {\n    createServiceAccount(name: $name) {\n      apiKey\n    }\n  }\n": typeof types.CreateServiceAccountDocument,
};
const documents: Documents = {
    "\n  mutation ChangePassword($currentPassword: String, $newPassword: String!) {\n    changePassword(currentPassword: $currentPassword, newPassword: $newPassword) {\n      accessToken\n      deviceToken\n      user {\n        id\n        email\n        username\n        hasPassword\n      }\n    }\n  }\n": types.ChangePasswordDocument,
    "\n  mutation RequestEmailChange($newEmail: String!, $currentPassword: String) {\n    requestEmailChange(newEmail: $newEmail, currentPassword: $currentPassword)\n  }\n": types.RequestEmailChangeDocument,
    "\n  query RateLimitStatus {\n    rateLimitStatus {\n      tier\n      limits {\n        field\n        limit\n        used\n        remaining\n        windowSeconds\n        resetAt\n      }\n    }\n  }\n": types.RateLimitStatusDocument,
    "\n  mutation ConfirmEmailChange($token: String!) {\n    confirmEmailChange(token: $token) {\n      id\n      email\n      emailVerified\n    }\n  }\n": types.ConfirmEmailChangeDocument,
    "\n  mutation RequestEmailVerification {\n    requestEmailVerification\n  }\n": types.RequestEmailVerificationDocument,
    "\n  mutation StartOAuth($provider: OAuthProvider!, $redirectUri: String!) {\n    startOAuth(provider: $provider, redirectUri: $redirectUri) {\n      authorizationUrl\n      binding\n    }\n  }\n": types.StartOAuthDocument,
    "\n  mutation CompleteOAuth($provider: OAuthProvider!, $code: String!, $state: String!, $binding: String!) {\n    completeOAuth(provider: $provider, code: $code, state: $state, binding: $binding) {\n      accessToken\n      deviceToken\n      user {\n        email\n        username\n      }\n    }\n  }\n": types.CompleteOAuthDocument,
    "\n  query Me {\n    me {\n      id\n      email\n      emailVerified\n      hasPassword\n      username\n      tier\n      createdAt\n      lastLoginAt\n    }\n  }\n": types.MeDocument,
    "\n  fragment Progress on ResourceProgress {\n    resourceId\n    overallStatus\n    percentComplete\n    stages {\n      stage\n      status\n      percent\n      message\n    }\n  }\n": types.ProgressFragmentDoc,
    "\n  query ResourceProgress($resourceId: ID!) {\n    resourceProgress(resourceId: $resourceId) {\n      ...Progress\n    }\n  }\n": types.ResourceProgressDocument,
    "\n  subscription ResourceProgressChanged($resourceId: ID!) {\n    resourceProgressChanged(resourceId: $resourceId) {\n      ...Progress\n    }\n  }\n": types.ResourceProgressChangedDocument,
    "\n  mutation RequestPasswordReset($email: String!) {\n    requestPasswordReset(email: $email)\n  }\n": types.RequestPasswordResetDocument,
    "\n  mutation ResetPassword($token: String!, $newPassword: String!) {\n    resetPassword(token: $token, newPassword: $newPassword)\n  }\n": types.ResetPasswordDocument,
    "\n  query MySecurityEvents($first: Int) {\n    me {\n      id\n      securityEvents(first: $first) {\n        id\n        type\n        at\n        ip\n        userAgent\n      }\n    }\n  }\n": types.MySecurityEventsDocument,
    "\n  query MySessions {\n    me {\n      id\n      sessions {\n        id\n        current\n        userAgent\n        ip\n        createdAt\n        lastUsedAt\n        expiresAt\n      }\n    }\n  }\n": types.MySessionsDocument,
    "\n  mutation RevokeSession($id: ID!) {\n    revokeSession(id: $id)\n  }\n": types.RevokeSessionDocument,
    "\n  mutation VerifyEmail($token: String!) {\n    verifyEmail(token: $token) {\n      id\n      email\n      emailVerified\n    }\n  }\n": types.VerifyEmailDocument,
    "\n  mutation CreateServiceAccount($name: String!) {\n    createServiceAccount(name: $name) {\n      apiKey\n    }\n  }\n": types.CreateServiceAccountDocument,
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
export function graphql(source: "\n  mutation ChangePassword($currentPassword: String, $newPassword: String!) {\n    changePassword(currentPassword: $currentPassword, newPassword: $newPassword) {\n      accessToken\n      deviceToken\n      user {\n        id\n        email\n        username\n        hasPassword\n      }\n    }\n  }\n"): (typeof documents)["\n  mutation ChangePassword($currentPassword: String, $newPassword: String!) {\n    changePassword(currentPassword: $currentPassword, newPassword: $newPassword) {\n      accessToken\n      deviceToken\n      user {\n        id\n        email\n        username\n        hasPassword\n      }\n    }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  mutation RequestEmailChange($newEmail: String!, $currentPassword: String) {\n    requestEmailChange(newEmail: $newEmail, currentPassword: $currentPassword)\n  }\n"): (typeof documents)["\n  mutation RequestEmailChange($newEmail: String!, $currentPassword: String) {\n    requestEmailChange(newEmail: $newEmail, currentPassword: $currentPassword)\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  query RateLimitStatus {\n    rateLimitStatus {\n      tier\n      limits {\n        field\n        limit\n        used\n        remaining\n        windowSeconds\n        resetAt\n      }\n    }\n  }\n"): (typeof documents)["\n  query RateLimitStatus {\n    rateLimitStatus {\n      tier\n      limits {\n        field\n        limit\n        used\n        remaining\n        windowSeconds\n        resetAt\n      }\n    }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  mutation ConfirmEmailChange($token: String!) {\n    confirmEmailChange(token: $token) {\n      id\n      email\n      emailVerified\n    }\n  }\n"): (typeof documents)["\n  mutation ConfirmEmailChange($token: String!) {\n    confirmEmailChange(token: $token) {\n      id\n      email\n      emailVerified\n    }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  mutation RequestEmailVerification {\n    requestEmailVerification\n  }\n"): (typeof documents)["\n  mutation RequestEmailVerification {\n    requestEmailVerification\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  mutation StartOAuth($provider: OAuthProvider!, $redirectUri: String!) {\n    startOAuth(provider: $provider, redirectUri: $redirectUri) {\n      authorizationUrl\n      binding\n    }\n  }\n"): (typeof documents)["\n  mutation StartOAuth($provider: OAuthProvider!, $redirectUri: String!) {\n    startOAuth(provider: $provider, redirectUri: $redirectUri) {\n      authorizationUrl\n      binding\n    }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  mutation CompleteOAuth($provider: OAuthProvider!, $code: String!, $state: String!, $binding: String!) {\n    completeOAuth(provider: $provider, code: $code, state: $state, binding: $binding) {\n      accessToken\n      deviceToken\n      user {\n        email\n        username\n      }\n    }\n  }\n"): (typeof documents)["\n  mutation CompleteOAuth($provider: OAuthProvider!, $code: String!, $state: String!, $binding: String!) {\n    completeOAuth(provider: $provider, code: $code, state: $state, binding: $binding) {\n      accessToken\n      deviceToken\n      user {\n        email\n        username\n      }\n    }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  query Me {\n    me {\n      id\n      email\n      emailVerified\n      hasPassword\n      username\n      tier\n      createdAt\n      lastLoginAt\n    }\n  }\n"): (typeof documents)["\n  query Me {\n    me {\n      id\n      email\n      emailVerified\n      hasPassword\n      username\n      tier\n      createdAt\n      lastLoginAt\n    }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  fragment Progress on ResourceProgress {\n    resourceId\n    overallStatus\n    percentComplete\n    stages {\n      stage\n      status\n      percent\n      message\n    }\n  }\n"): (typeof documents)["\n  fragment Progress on ResourceProgress {\n    resourceId\n    overallStatus\n    percentComplete\n    stages {\n      stage\n      status\n      percent\n      message\n    }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  query ResourceProgress($resourceId: ID!) {\n    resourceProgress(resourceId: $resourceId) {\n      ...Progress\n    }\n  }\n"): (typeof documents)["\n  query ResourceProgress($resourceId: ID!) {\n    resourceProgress(resourceId: $resourceId) {\n      ...Progress\n    }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  subscription ResourceProgressChanged($resourceId: ID!) {\n    resourceProgressChanged(resourceId: $resourceId) {\n      ...Progress\n    }\n  }\n"): (typeof documents)["\n  subscription ResourceProgressChanged($resourceId: ID!) {\n    resourceProgressChanged(resourceId: $resourceId) {\n      ...Progress\n    }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  mutation RequestPasswordReset($email: String!) {\n    requestPasswordReset(email: $email)\n  }\n"): (typeof documents)["\n  mutation RequestPasswordReset($email: String!) {\n    requestPasswordReset(email: $email)\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  mutation ResetPassword($token: String!, $newPassword: String!) {\n    resetPassword(token: $token, newPassword: $newPassword)\n  }\n"): (typeof documents)["\n  mutation ResetPassword($token: String!, $newPassword: String!) {\n    resetPassword(token: $token, newPassword: $newPassword)\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  query MySecurityEvents($first: Int) {\n    me {\n      id\n      securityEvents(first: $first) {\n        id\n        type\n        at\n        ip\n        userAgent\n      }\n    }\n  }\n"): (typeof documents)["\n  query MySecurityEvents($first: Int) {\n    me {\n      id\n      securityEvents(first: $first) {\n        id\n        type\n        at\n        ip\n        userAgent\n      }\n    }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  query MySessions {\n    me {\n      id\n      sessions {\n        id\n        current\n        userAgent\n        ip\n        createdAt\n        lastUsedAt\n        expiresAt\n      }\n    }\n  }\n"): (typeof documents)["\n  query MySessions {\n    me {\n      id\n      sessions {\n        id\n        current\n        userAgent\n        ip\n        createdAt\n        lastUsedAt\n        expiresAt\n      }\n    }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  mutation RevokeSession($id: ID!) {\n    revokeSession(id: $id)\n  }\n"): (typeof documents)["\n  mutation RevokeSession($id: ID!) {\n    revokeSession(id: $id)\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  mutation VerifyEmail($token: String!) {\n    verifyEmail(token: $token) {\n      id\n      email\n      emailVerified\n    }\n  }\n"): (typeof documents)["\n  mutation VerifyEmail($token: String!) {\n    verifyEmail(token: $token) {\n      id\n      email\n      emailVerified\n    }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  mutation CreateServiceAccount($name: String!) {\n    createServiceAccount(name: $name) {\n      apiKey\n    }\n  }\n"): (typeof documents)["\n  mutation CreateServiceAccount($name: String!) {\n    createServiceAccount(name: $name) {\n      apiKey\n    }\n  }\n"];

export function graphql(source: string) {
  return (documents as any)[source] ?? {};
}

export type DocumentType<TDocumentNode extends DocumentNode<any, any>> = TDocumentNode extends DocumentNode<  infer TType,  any>  ? TType  : never;