import { Field, ObjectType } from 'type-graphql';
import { User } from '../user/user.entity.js';

@ObjectType({ description: 'Where a page ends, and whether another follows.' })
export class PageInfo {
  @Field(() => String, {
    nullable: true,
    description: 'The cursor of the last edge, for the next page’s `after`; null on an empty page.',
  })
  endCursor!: string | null;
  @Field(() => Boolean, { description: 'Whether more items follow this page.' })
  hasNextPage!: boolean;
}

@ObjectType({ description: 'One user in a page, with its cursor.' })
export class UserEdge {
  @Field(() => String, { description: 'Opaque; pass it as `after` to continue after this user.' })
  cursor!: string;
  @Field(() => User, { description: 'The user.' })
  node!: User;
}

@ObjectType({ description: 'A page of users, oldest first.' })
export class UserConnection {
  @Field(() => [UserEdge], { description: 'The users of this page, oldest first.' })
  edges!: UserEdge[];
  @Field(() => PageInfo, { description: 'Where this page ends.' })
  pageInfo!: PageInfo;
}
