import type { DocumentNode, GraphQLFormattedError, GraphQLSchema, OperationDefinitionNode } from 'graphql';
import { ErrorCode } from '../errors.js';
import { rootFields } from './root-fields.js';

/**
 * What an operation's root fields came to, for the metrics: `Type.field` and `ok` or an error code. Pure.
 * Label values come only from closed sets: a field counts only when the schema's root type has it
 * (introspection's `__schema`, `__typename` and anything a client made up never become a label), and a
 * code outside {@link knownOutcomes} is reported as `other`.
 */
export interface FieldOutcome {
  field: string;
  outcome: string;
}

/** Every code Tollgate or graphql-js/Apollo put in `extensions.code`, and `ok`. */
export const knownOutcomes: ReadonlySet<string> = new Set([
  'ok',
  ...Object.values(ErrorCode),
  'GRAPHQL_PARSE_FAILED',
  'GRAPHQL_VALIDATION_FAILED',
  'BAD_REQUEST',
  'OPERATION_RESOLUTION_FAILURE',
]);

const rootTypeName = { query: 'Query', mutation: 'Mutation', subscription: 'Subscription' } as const;

export function rootFieldOutcomes(
  schema: GraphQLSchema,
  document: DocumentNode | undefined,
  operation: OperationDefinitionNode | undefined,
  errors: readonly GraphQLFormattedError[] | undefined,
): FieldOutcome[] {
  if (!operation) return [];
  const keys = rootFieldsOf(schema, document, operation);
  if (!errors?.length) return keys.map(([, field]) => ({ field, outcome: 'ok' }));
  const codeByKey = new Map<string, string>();
  for (const error of errors) {
    const key = error.path?.[0];
    if (typeof key === 'string' && !codeByKey.has(key)) codeByKey.set(key, boundedOutcome(error.extensions?.code));
  }
  return keys.map(([key, field]) => ({ field, outcome: codeByKey.get(key) ?? 'ok' }));
}

/**
 * Apollo parses a query text once and hands every request that sends it the same document, so an operation's
 * root fields are worked out once per document and operation, not per request.
 */
const rootFieldsCache = new WeakMap<OperationDefinitionNode, readonly (readonly [string, string])[]>();

/** [response key, `Type.field`] of each root field the schema has, through fragments at the root. */
function rootFieldsOf(
  schema: GraphQLSchema,
  document: DocumentNode | undefined,
  operation: OperationDefinitionNode,
): readonly (readonly [string, string])[] {
  const cached = rootFieldsCache.get(operation);
  if (cached) return cached;
  const typeName = rootTypeName[operation.operation];
  const fields = schema.getRootType(operation.operation)?.getFields() ?? {};
  // Response key → field name: an aliased repeat of one field is one key per alias.
  const keys = new Map(rootFields(operation.selectionSet, document).map((f) => [f.alias?.value ?? f.name.value, f.name.value]));
  const found = [...keys]
    .filter(([, name]) => Object.hasOwn(fields, name))
    .map(([key, name]) => [key, `${typeName}.${name}`] as const);
  rootFieldsCache.set(operation, found);
  return found;
}

/** An error code as a label value: itself when known, else `other`. */
export const boundedOutcome = (code: unknown): string =>
  typeof code === 'string' && code !== 'ok' && knownOutcomes.has(code) ? code : 'other';

/** What a Mutation.login outcome means as a sign-in attempt. */
export function loginOutcome(outcome: string): string {
  switch (outcome) {
    case 'ok':
      return 'success';
    case ErrorCode.INVALID_CREDENTIALS:
      return 'invalid_credentials';
    case ErrorCode.RATE_LIMITED:
      return 'throttled';
    case ErrorCode.EMAIL_NOT_VERIFIED:
      return 'email_not_verified';
    case ErrorCode.BAD_USER_INPUT:
      return 'invalid_input';
    case ErrorCode.SERVICE_UNAVAILABLE:
      return 'unavailable';
    default:
      return 'error';
  }
}
