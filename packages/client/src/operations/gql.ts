/* eslint-disable */
import * as types from './graphql.js';



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
    "fragment SignedInUser on User {\n  id\n  email\n  emailVerified\n  username\n  tier\n}\n\nmutation TollgateSignIn($input: LoginInput!) {\n  login(input: $input) {\n    __typename\n    ... on AuthPayload {\n      accessToken\n      deviceToken\n      user {\n        ...SignedInUser\n      }\n    }\n  }\n}\n\nmutation TollgateSignUp($input: RegisterInput!) {\n  register(input: $input) {\n    __typename\n    ... on AuthPayload {\n      accessToken\n      deviceToken\n      user {\n        ...SignedInUser\n      }\n    }\n    ... on RegistrationPending {\n      email\n    }\n  }\n}\n\nmutation TollgateRenew {\n  refresh {\n    accessToken\n  }\n}\n\nmutation TollgateSignOut($allSessions: Boolean!) {\n  logout(allSessions: $allSessions)\n}": typeof types.SignedInUserFragmentDoc,
};
const documents: Documents = {
    "fragment SignedInUser on User {\n  id\n  email\n  emailVerified\n  username\n  tier\n}\n\nmutation TollgateSignIn($input: LoginInput!) {\n  login(input: $input) {\n    __typename\n    ... on AuthPayload {\n      accessToken\n      deviceToken\n      user {\n        ...SignedInUser\n      }\n    }\n  }\n}\n\nmutation TollgateSignUp($input: RegisterInput!) {\n  register(input: $input) {\n    __typename\n    ... on AuthPayload {\n      accessToken\n      deviceToken\n      user {\n        ...SignedInUser\n      }\n    }\n    ... on RegistrationPending {\n      email\n    }\n  }\n}\n\nmutation TollgateRenew {\n  refresh {\n    accessToken\n  }\n}\n\nmutation TollgateSignOut($allSessions: Boolean!) {\n  logout(allSessions: $allSessions)\n}": types.SignedInUserFragmentDoc,
};

/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "fragment SignedInUser on User {\n  id\n  email\n  emailVerified\n  username\n  tier\n}\n\nmutation TollgateSignIn($input: LoginInput!) {\n  login(input: $input) {\n    __typename\n    ... on AuthPayload {\n      accessToken\n      deviceToken\n      user {\n        ...SignedInUser\n      }\n    }\n  }\n}\n\nmutation TollgateSignUp($input: RegisterInput!) {\n  register(input: $input) {\n    __typename\n    ... on AuthPayload {\n      accessToken\n      deviceToken\n      user {\n        ...SignedInUser\n      }\n    }\n    ... on RegistrationPending {\n      email\n    }\n  }\n}\n\nmutation TollgateRenew {\n  refresh {\n    accessToken\n  }\n}\n\nmutation TollgateSignOut($allSessions: Boolean!) {\n  logout(allSessions: $allSessions)\n}"): typeof import('./graphql.js').SignedInUserFragmentDoc;


export function graphql(source: string) {
  return (documents as any)[source] ?? {};
}
