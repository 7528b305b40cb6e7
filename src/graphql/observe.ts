import type { GraphQLSchema } from 'graphql';
import type { Metrics } from '../observability/metrics.js';
import type { Tracing } from '../observability/tracing.js';
import type { Outcome } from './apollo.js';
import { loginOutcome, rootFieldOutcomes } from './field-outcomes.js';

/**
 * What every answered operation reports, as the last step of Apollo's response policy: each root field's
 * outcome and each sign-in's (metrics), and the request span's name, `mutation login` or `query me users`
 * (tracing). Undefined when there is nothing to report to, so the policy runs no extra step.
 */
export function observeOperations(
  schema: GraphQLSchema,
  metrics: Metrics | null,
  tracing: Tracing | null,
): ((outcome: Outcome) => void) | undefined {
  if (!metrics && !tracing) return undefined;
  return ({ document, operation, response }) => {
    const errors = response.body.kind === 'single' ? response.body.singleResult.errors : undefined;
    const outcomes = rootFieldOutcomes(schema, document, operation, errors);
    if (metrics)
      for (const { field, outcome } of outcomes) {
        metrics.countField(field, outcome);
        if (field === 'Mutation.login') metrics.loginAttempts.inc({ outcome: loginOutcome(outcome) });
      }
    const span = tracing?.activeSpan();
    if (span && operation) {
      span.updateName(`${operation.operation} ${[...new Set(outcomes.map((o) => o.field.split('.')[1]))].join(' ')}`);
      span.setAttribute('graphql.operation.type', operation.operation);
      const failed = outcomes.find((o) => o.outcome !== 'ok');
      if (failed) span.setAttribute('tollgate.error.code', failed.outcome);
    }
  };
}
