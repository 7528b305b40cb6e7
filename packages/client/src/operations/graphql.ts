/* eslint-disable */
/** Internal type. DO NOT USE DIRECTLY. */
type Exact<T extends { [key: string]: unknown }> = { [K in keyof T]: T[K] };
/** Internal type. DO NOT USE DIRECTLY. */
export type Incremental<T> = T | { [P in keyof T]?: P extends ' $fragmentName' | '__typename' ? T[P] : never };
import type { DocumentTypeDecoration } from '@graphql-typed-document-node/core';
/** Credentials for login. A wrong identifier and a wrong password give the same INVALID_CREDENTIALS. */
export type LoginInput = {
  /** The deviceToken this client was given when it last signed into this account. With it, failed attempts by others cannot lock this client out. */
  deviceToken?: string | null | undefined;
  /** The email address or the username. */
  identifier: string;
  /** The account password, at most 128 characters. */
  password: string;
};

/** A new account. The email is matched case-insensitively; the username is optional. */
export type RegisterInput = {
  /** A valid address, at most 254 characters; BAD_USER_INPUT if malformed. Already registered: CONFLICT in SIGNUP_MODE=open; in verify-first, the same RegistrationPending as a new address (its owner is told by mail). */
  email: string;
  /** 8 to 128 characters, not one of the most common passwords. */
  password: string;
  /** 3 to 32 characters of a-z, 0-9 and _. */
  username?: string | null | undefined;
};

/** A caller's plan; it sets their request budget (see rateLimitStatus). */
export type Tier =
  /** Administrators: users, tiers and service accounts; about a hundred times the FREE budgets. */
  | 'ADMIN'
  /** The default, and what anonymous callers count as. */
  | 'FREE'
  /** About ten times the FREE budgets. */
  | 'PREMIUM';

export type SignedInUserFragment = { id: string, email: string, emailVerified: boolean, username: string | null, tier: Tier };

export type TollgateSignInMutationVariables = Exact<{
  input: LoginInput;
}>;


export type TollgateSignInMutation = { login: { __typename: 'AuthPayload', accessToken: string, deviceToken: string | null, user: { id: string, email: string, emailVerified: boolean, username: string | null, tier: Tier } } };

export type TollgateSignUpMutationVariables = Exact<{
  input: RegisterInput;
}>;


export type TollgateSignUpMutation = { register:
    | { __typename: 'AuthPayload', accessToken: string, deviceToken: string | null, user: { id: string, email: string, emailVerified: boolean, username: string | null, tier: Tier } }
    | { __typename: 'RegistrationPending', email: string }
   };

export type TollgateRenewMutationVariables = Exact<{ [key: string]: never; }>;


export type TollgateRenewMutation = { refresh: { accessToken: string } };

export type TollgateSignOutMutationVariables = Exact<{
  allSessions: boolean;
}>;


export type TollgateSignOutMutation = { logout: boolean };

export class TypedDocumentString<TResult, TVariables>
  extends String
  implements DocumentTypeDecoration<TResult, TVariables>
{
  __apiType?: NonNullable<DocumentTypeDecoration<TResult, TVariables>['__apiType']>;
  private value: string;
  public __meta__?: Record<string, any> | undefined;

  constructor(value: string, __meta__?: Record<string, any> | undefined) {
    super(value);
    this.value = value;
    this.__meta__ = __meta__;
  }

  override toString(): string & DocumentTypeDecoration<TResult, TVariables> {
    return this.value;
  }
}
export const SignedInUserFragmentDoc = new TypedDocumentString(`
    fragment SignedInUser on User {
  id
  email
  emailVerified
  username
  tier
}
    `, {"fragmentName":"SignedInUser"}) as unknown as TypedDocumentString<SignedInUserFragment, unknown>;
export const TollgateSignInDocument = new TypedDocumentString(`
    mutation TollgateSignIn($input: LoginInput!) {
  login(input: $input) {
    __typename
    ... on AuthPayload {
      accessToken
      deviceToken
      user {
        ...SignedInUser
      }
    }
  }
}
    fragment SignedInUser on User {
  id
  email
  emailVerified
  username
  tier
}`) as unknown as TypedDocumentString<TollgateSignInMutation, TollgateSignInMutationVariables>;
export const TollgateSignUpDocument = new TypedDocumentString(`
    mutation TollgateSignUp($input: RegisterInput!) {
  register(input: $input) {
    __typename
    ... on AuthPayload {
      accessToken
      deviceToken
      user {
        ...SignedInUser
      }
    }
    ... on RegistrationPending {
      email
    }
  }
}
    fragment SignedInUser on User {
  id
  email
  emailVerified
  username
  tier
}`) as unknown as TypedDocumentString<TollgateSignUpMutation, TollgateSignUpMutationVariables>;
export const TollgateRenewDocument = new TypedDocumentString(`
    mutation TollgateRenew {
  refresh {
    accessToken
  }
}
    `) as unknown as TypedDocumentString<TollgateRenewMutation, TollgateRenewMutationVariables>;
export const TollgateSignOutDocument = new TypedDocumentString(`
    mutation TollgateSignOut($allSessions: Boolean!) {
  logout(allSessions: $allSessions)
}
    `) as unknown as TypedDocumentString<TollgateSignOutMutation, TollgateSignOutMutationVariables>;