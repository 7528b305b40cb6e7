import { Field, ObjectType } from 'type-graphql';
import { User } from '../user/user.entity.js';

@ObjectType()
export class PageInfo {
  @Field(() => String, { nullable: true })
  endCursor!: string | null;
  @Field(() => Boolean)
  hasNextPage!: boolean;
}

@ObjectType()
export class UserEdge {
  @Field(() => String)
  cursor!: string;
  @Field(() => User)
  node!: User;
}

@ObjectType({ description: 'A page of users, oldest first.' })
export class UserConnection {
  @Field(() => [UserEdge])
  edges!: UserEdge[];
  @Field(() => PageInfo)
  pageInfo!: PageInfo;
}
