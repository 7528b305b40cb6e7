import { Field, InputType, ObjectType } from 'type-graphql';
import type { UserView } from '../user/user.view.js';
import { User } from '../user/user.entity.js';

@InputType({ description: 'A new account. The email is matched case-insensitively; the username is optional.' })
export class RegisterInput {
  @Field(() => String)
  email!: string;

  @Field(() => String, { description: '8 to 128 characters, not one of the most common passwords.' })
  password!: string;

  @Field(() => String, { nullable: true, description: '3 to 32 characters of a-z, 0-9 and _.' })
  username?: string | null;
}

@InputType()
export class LoginInput {
  @Field(() => String, { description: 'The email address or the username.' })
  identifier!: string;

  @Field(() => String)
  password!: string;
}

@ObjectType({ description: 'The tokens of a new or renewed session.' })
export class AuthPayload {
  @Field(() => String, { description: 'A short-lived JWT (EdDSA) for the Authorization: Bearer header.' })
  accessToken!: string;

  @Field(() => Date)
  accessTokenExpiresAt!: Date;

  @Field(() => String, { nullable: true, description: 'Returned once and stored only as a hash; keep it secret.' })
  refreshToken!: string | null;

  @Field(() => Date)
  refreshTokenExpiresAt!: Date;

  @Field(() => User)
  user!: UserView;
}
