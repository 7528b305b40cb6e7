import { createUnionType, Field, InputType, ObjectType } from 'type-graphql';
import type { UserView } from '../user/user.view.js';
import { User } from '../user/user.entity.js';

@InputType({ description: 'A new account. The email is matched case-insensitively; the username is optional.' })
export class RegisterInput {
  @Field(() => String, {
    description:
      'A valid address, at most 254 characters; BAD_USER_INPUT if malformed. Already registered: CONFLICT in SIGNUP_MODE=open; in verify-first, the same RegistrationPending as a new address (its owner is told by mail).',
  })
  email!: string;

  @Field(() => String, { description: '8 to 128 characters, not one of the most common passwords.' })
  password!: string;

  @Field(() => String, { nullable: true, description: '3 to 32 characters of a-z, 0-9 and _.' })
  username?: string | null;
}

@InputType({ description: 'Credentials for login. A wrong identifier and a wrong password give the same INVALID_CREDENTIALS.' })
export class LoginInput {
  @Field(() => String, { description: 'The email address or the username.' })
  identifier!: string;

  @Field(() => String, { description: 'The account password, at most 128 characters.' })
  password!: string;

  @Field(() => String, {
    nullable: true,
    description:
      'The deviceToken this client was given when it last signed into this account. With it, failed attempts by others cannot lock this client out.',
  })
  deviceToken?: string | null;
}

@ObjectType({ description: 'The tokens of a new or renewed session.' })
export class AuthPayload {
  @Field(() => String, { description: 'A short-lived JWT (EdDSA) for the Authorization: Bearer header.' })
  accessToken!: string;

  @Field(() => Date, {
    description: 'When the access token stops being accepted (5 to 60 minutes after issue); refresh before then.',
  })
  accessTokenExpiresAt!: Date;

  @Field(() => String, { nullable: true, description: 'Returned once and stored only as a hash; keep it secret.' })
  refreshToken!: string | null;

  @Field(() => Date, { description: 'When the refresh token expires; never after the end of its session.' })
  refreshTokenExpiresAt!: Date;

  @Field(() => String, {
    nullable: true,
    description:
      'Proof that this client has signed into this account: keep it (it is not a credential) and send it with every login. Null on refresh.',
  })
  deviceToken!: string | null;

  @Field(() => User, { description: 'The signed-in user.' })
  user!: UserView;
}

@ObjectType({
  description:
    'SIGNUP_MODE=verify-first: the sign-up is waiting for its address to be confirmed. The same answer whether or not the address already has an account: a new one gets a confirmation link, an existing one a notice to its owner. Sign-in works once the link is followed.',
})
export class RegistrationPending {
  @Field(() => String, { description: 'The address (canonical form) the mail went to.' })
  email!: string;
}

export const RegisterResult = createUnionType({
  name: 'RegisterResult',
  description:
    'AuthPayload when the account is created and signed in (SIGNUP_MODE=open); RegistrationPending when it waits for the address to be confirmed (verify-first).',
  types: () => [AuthPayload, RegistrationPending] as const,
  resolveType: (value) => ('accessToken' in value ? AuthPayload : RegistrationPending),
});
