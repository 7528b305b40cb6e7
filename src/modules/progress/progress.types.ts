import { Field, Float, ID, InputType, ObjectType, registerEnumType } from 'type-graphql';
import { ProcessingStage, StageStatus } from './progress.rules.js';

registerEnumType(ProcessingStage, {
  name: 'ProcessingStage',
  description: 'The pipeline stages, in order.',
  valuesConfig: {
    INGESTION: { description: 'First stage: the resource is taken in.' },
    QUALITY: { description: 'Second stage: quality checks.' },
    TAXONOMY: { description: 'Third stage: classification.' },
    GRAPH: { description: 'Fourth stage: the graph step.' },
    EMBEDDING: { description: 'Fifth and last stage: the embedding step.' },
  },
});
registerEnumType(StageStatus, {
  name: 'StageStatus',
  description: 'Where a stage, or the whole resource, stands.',
  valuesConfig: {
    PENDING: { description: 'Not started.' },
    PROCESSING: { description: 'Under way; percent says how far.' },
    COMPLETED: { description: 'Done.' },
    FAILED: { description: 'Stopped with an error; may be reported again as PROCESSING to restart.' },
  },
});

@ObjectType({ description: 'One stage of a resource.' })
export class StageProgress {
  @Field(() => ProcessingStage, { description: 'Which stage.' })
  stage!: ProcessingStage;
  @Field(() => StageStatus, { description: 'Where it stands.' })
  status!: StageStatus;
  @Field(() => Float, { nullable: true, description: '0 to 100 while PROCESSING; null when never reported.' })
  percent!: number | null;
  @Field(() => String, {
    nullable: true,
    description: 'The last message the worker sent, e.g. why it FAILED; at most 500 characters.',
  })
  message!: string | null;
  @Field(() => Date, { nullable: true, description: 'When this stage was last reported; null if never.' })
  updatedAt!: Date | null;
}

@ObjectType({ description: 'How far the processing of one resource has got.' })
export class ResourceProgress {
  @Field(() => ID, { description: 'The resource, as its worker named it.' })
  resourceId!: string;
  @Field(() => ID, { description: 'The user who owns the resource; they and admins may read it.' })
  ownerId!: string;
  @Field(() => StageStatus, {
    description: 'FAILED if any stage failed, COMPLETED when all are, PENDING before any started, else PROCESSING.',
  })
  overallStatus!: StageStatus;
  @Field(() => Float, { description: 'Mean of the five stages: COMPLETED 100, PENDING 0, otherwise the reported percent.' })
  percentComplete!: number;
  @Field(() => [StageProgress], { description: 'All five stages, in pipeline order.' })
  stages!: StageProgress[];
  @Field(() => Date, { description: 'The last report for any stage.' })
  updatedAt!: Date;
  @Field(() => Date, { description: 'The record is dropped this long after its last update.' })
  expiresAt!: Date;
}

@InputType({
  description: 'One stage report. BAD_USER_INPUT for a backward move (e.g. COMPLETED to PROCESSING) or a value out of range.',
})
export class ReportProgressInput {
  @Field(() => ID, { description: 'Up to 128 characters of letters, digits, ".", "_", ":" and "-".' })
  resourceId!: string;
  @Field(() => ID, { description: 'The user who owns the resource and may read its progress.' })
  ownerId!: string;
  @Field(() => ProcessingStage, { description: 'The stage reported on.' })
  stage!: ProcessingStage;
  @Field(() => StageStatus, { description: 'Its new status.' })
  status!: StageStatus;
  @Field(() => Float, { nullable: true, description: '0 to 100.' })
  percent?: number | null;
  @Field(() => String, { nullable: true, description: 'At most 500 characters.' })
  message?: string | null;
}
