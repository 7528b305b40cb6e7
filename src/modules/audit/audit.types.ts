import { Field, ObjectType } from 'type-graphql';
import { PageInfo } from '../admin/admin.types.js';
import { AuditEntry } from './audit.entity.js';

@ObjectType({ description: 'One audit entry in a page, with its cursor.' })
export class AuditEntryEdge {
  @Field(() => String, { description: 'Opaque; pass it as `after` to continue with the entries older than this one.' })
  cursor!: string;
  @Field(() => AuditEntry, { description: 'The entry.' })
  node!: AuditEntry;
}

@ObjectType({
  description:
    'A page of the audit log, newest first (cursor pagination: pass pageInfo.endCursor as `after` for the next, older page).',
})
export class AuditEntryConnection {
  @Field(() => [AuditEntryEdge], { description: 'The entries of this page, newest first.' })
  edges!: AuditEntryEdge[];
  @Field(() => PageInfo, { description: 'Where this page ends, and whether older entries follow.' })
  pageInfo!: PageInfo;
}
