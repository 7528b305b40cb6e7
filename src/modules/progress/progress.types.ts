import { Field, Float, ID, InputType, ObjectType, registerEnumType } from 'type-graphql';
import { ProcessingStage, StageStatus } from './progress.rules.js';

registerEnumType(ProcessingStage, { name: 'ProcessingStage', description: 'The pipeline stages, in order.' });
registerEnumType(StageStatus, { name: 'StageStatus' });

@ObjectType()
export class StageProgress {
  @Field(() => ProcessingStage)
  stage!: ProcessingStage;
  @Field(() => StageStatus)
  status!: StageStatus;
  @Field(() => Float, { nullable: true })
  percent!: number | null;
  @Field(() => String, { nullable: true })
  message!: string | null;
  @Field(() => Date, { nullable: true })
  updatedAt!: Date | null;
}

@ObjectType({ description: 'How far the processing of one resource has got.' })
export class ResourceProgress {
  @Field(() => ID)
  resourceId!: string;
  @Field(() => ID)
  ownerId!: string;
  @Field(() => StageStatus)
  overallStatus!: StageStatus;
  @Field(() => Float, { description: 'Mean of the five stages: COMPLETED 100, PENDING 0, otherwise the reported percent.' })
  percentComplete!: number;
  @Field(() => [StageProgress], { description: 'All five stages, in pipeline order.' })
  stages!: StageProgress[];
  @Field(() => Date)
  updatedAt!: Date;
  @Field(() => Date, { description: 'The record is dropped this long after its last update.' })
  expiresAt!: Date;
}

@InputType()
export class ReportProgressInput {
  @Field(() => ID, { description: 'Up to 128 characters of letters, digits, ".", "_", ":" and "-".' })
  resourceId!: string;
  @Field(() => ID, { description: 'The user who owns the resource and may read its progress.' })
  ownerId!: string;
  @Field(() => ProcessingStage)
  stage!: ProcessingStage;
  @Field(() => StageStatus)
  status!: StageStatus;
  @Field(() => Float, { nullable: true, description: '0 to 100.' })
  percent?: number | null;
  @Field(() => String, { nullable: true, description: 'At most 500 characters.' })
  message?: string | null;
}
